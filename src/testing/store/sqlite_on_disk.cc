#include "testing/store/sqlite_on_disk.h"

namespace k9::testkit {

repo::Tables default_tables() {
  return repo::Tables::from_env([](const char*) -> const char* { return nullptr; });
}

std::unique_ptr<store::sqlite::SqliteStore> open_sqlite(const std::filesystem::path& folder,
                                                        const repo::Tables& tables) {
  std::filesystem::create_directories(folder);
  auto store = std::make_unique<store::sqlite::SqliteStore>((folder / "k9.db").string());
  for (auto& s : tables.schemas()) store->ensure_table(s);
  return store;
}

}  // namespace k9::testkit
