#include "cli/tables_command.h"

#include <cstdlib>

namespace k9::cli {

int create_tables(const Config& config, std::ostream& out) {
  if (config.store.empty() || config.store.rfind("sqlite:", 0) == 0)
    std::filesystem::create_directories(config.data);
  size_t changes = 0;
  auto store = open_store(config, [&](const std::string& line) {
    out << line << "\n" << std::flush;
    ++changes;
  });
  auto tables = repo::Tables::from_env([](const char* n) { return std::getenv(n); });
  for (auto& schema : all_table_schemas(tables)) {
    store->ensure_table(schema);
    out << schema.name << ": active (" << schema.key.partition_key
        << (schema.key.has_sort_key() ? ", " + schema.key.sort_key : "") << ")";
    for (auto& index : schema.indexes) out << " index " << index.name;
    out << "\n";
  }
  if (config.store == "dynamodb")  // the SQLite store creates silently
    out << (changes ? std::to_string(changes) + " change(s) made" : "nothing to change") << "\n";
  return 0;
}

}  // namespace k9::cli
