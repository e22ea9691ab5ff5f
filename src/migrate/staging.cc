#include "migrate/staging.h"

#include <fstream>
#include <map>

#include "core/encoding.h"
#include "core/error.h"
#include "core/random.h"
#include "generations/duckdb_rows.h"
#include "migrate/batch_writer.h"
#include "migrate/legacy_embeddings.h"
#include "store/sqlite/sqlite_store.h"
#include "table_export/table_export.h"

namespace k9::migrate {

namespace fs = std::filesystem;
using store::Item;

namespace {

constexpr size_t kBatchItems = 25;
constexpr int kWriters = 8;  // batches at once: SQLite's group commit joins them

Error bad(const fs::path& where, const std::string& what) {
  return Error(ErrorCode::bad_request, where.string() + ": " + what);
}

bool has_export(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir / "manifest-summary.json", ec)) return true;
  for (auto& e : fs::directory_iterator(dir / "AWSDynamoDB", ec))
    if (e.is_directory()) return true;
  return false;
}

// Items into one table of the staging store, 25 at a time, several batches at once.
class TableLoader {
 public:
  TableLoader(store::Store& staging, std::string table, bool legacy_embeddings, std::string model)
      : table_(std::move(table)),
        legacy_(legacy_embeddings),
        model_(std::move(model)),
        writer_([&staging, t = table_](const std::vector<Item>& batch) { staging.batch_write(t, batch, {}); },
                kWriters) {}
  void add(Item item) {
    if (legacy_ && !item.contains("model_version")) item = with_spec_embedding_key(std::move(item), model_);
    batch_.push_back(std::move(item));
    ++items_;
    if (batch_.size() == kBatchItems) flush();
  }
  uint64_t finish() {
    if (!batch_.empty()) flush();
    writer_.finish();
    writer_.committed();
    return items_;
  }

 private:
  void flush() {
    writer_.submit(std::move(batch_), {});
    batch_.clear();
    writer_.committed();  // keeps the writer's bookkeeping small
  }
  std::string table_;
  bool legacy_;
  std::string model_;
  BatchWriter writer_;
  std::vector<Item> batch_;
  uint64_t items_ = 0;
};

const std::pair<std::string, store::TableSchema>& table_of_kind(const StagingOptions& o, const std::string& kind,
                                                                 const fs::path& where) {
  for (auto& t : o.tables)
    if (t.first == kind) return t;
  std::string kinds;
  for (auto& t : o.tables) kinds += (kinds.empty() ? "" : ", ") + t.first;
  throw bad(where, "not a table K9 has (" + kinds + ")");
}

StagedTable stage_export(const fs::path& dir, store::Store& staging, const std::pair<std::string, store::TableSchema>& t,
                         const StagingOptions& o) {
  TableLoader loader(staging, t.second.name, t.first == "embeddings", o.legacy_embeddings_model);
  table_export::read_table_export(dir, [&](Item item) { loader.add(std::move(item)); });
  StagedTable s{t.first, t.second.name, loader.finish()};
  if (o.on_message) o.on_message(s.table + ": " + std::to_string(s.items) + " items read from " + dir.string());
  return s;
}

// The DuckDB generation's table each file holds, and the K9 table kind it goes to.
StagedTable stage_duckdb_file(const fs::path& file, generations::DuckDbTable table, store::Store& staging,
                              const StagingOptions& o) {
  std::string kind = table == generations::DuckDbTable::users     ? "users"
                     : table == generations::DuckDbTable::reports ? "reports"
                                                                  : "embeddings";
  auto& t = table_of_kind(o, kind, file);
  TableLoader loader(staging, t.second.name, false, o.legacy_embeddings_model);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw bad(file, "cannot be read");
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    try {
      loader.add(generations::item_from_duckdb_row(table, line));
    } catch (const Error& e) {
      throw bad(file, "line " + std::to_string(n) + ": " + e.message());
    }
  }
  StagedTable s{kind, t.second.name, loader.finish()};
  if (o.on_message) o.on_message(s.table + ": " + std::to_string(s.items) + " rows read from " + file.string());
  return s;
}

}  // namespace

FolderKind folder_kind(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw bad(dir, "not a folder");
  if (has_export(dir)) return FolderKind::table_export;
  bool exports = false, duckdb = false;
  for (auto& e : fs::directory_iterator(dir, ec)) {
    generations::DuckDbTable t;
    if (e.is_directory() && has_export(e.path())) exports = true;
    if (e.is_regular_file() && generations::duckdb_table_of(e.path().filename().string(), t)) duckdb = true;
  }
  if (exports && duckdb) throw bad(dir, "holds both table exports and DuckDB JSON lines; import them one at a time");
  if (exports) return FolderKind::k9_export;
  if (duckdb) return FolderKind::duckdb_json;
  throw bad(dir, "holds nothing to import: no DynamoDB table export (KIND/AWSDynamoDB/...), and no DuckDB JSON "
                 "lines (users.json, reports.json, product_embeddings.json)");
}

std::vector<StagedTable> stage_folder(const fs::path& dir, store::Store& staging, const StagingOptions& o) {
  FolderKind kind = folder_kind(dir);
  for (auto& [k, schema] : o.tables) staging.ensure_table(schema);
  std::vector<StagedTable> staged;
  switch (kind) {
    case FolderKind::table_export:
      if (o.table.empty())
        throw bad(dir, "is one table's export: name the table it goes to (--table users, reports, products, "
                       "embeddings...)");
      staged.push_back(stage_export(dir, staging, table_of_kind(o, o.table, dir), o));
      break;
    case FolderKind::k9_export: {
      if (!o.table.empty()) throw bad(dir, "holds K9's export of every table; --table is for one table's export");
      std::map<std::string, fs::path> folders;  // in name order: a stable order of messages
      for (auto& e : fs::directory_iterator(dir))
        if (e.is_directory()) folders[e.path().filename().string()] = e.path();
      for (auto& [name, path] : folders) table_of_kind(o, name, path);  // every folder a table, before any is read
      for (auto& [name, path] : folders) staged.push_back(stage_export(path, staging, table_of_kind(o, name, path), o));
      break;
    }
    case FolderKind::duckdb_json: {
      std::map<std::string, std::pair<fs::path, generations::DuckDbTable>> files;
      for (auto& e : fs::directory_iterator(dir)) {
        generations::DuckDbTable t;
        if (e.is_regular_file() && generations::duckdb_table_of(e.path().filename().string(), t))
          files[e.path().filename().string()] = {e.path(), t};
      }
      for (auto& [name, f] : files) staged.push_back(stage_duckdb_file(f.first, f.second, staging, o));
      break;
    }
  }
  return staged;
}

ImportResult import_folder(const fs::path& dir, store::Store& target, const StagingOptions& staging_options,
                           const MigrationOptions& migration, const fs::path& staging_parent) {
  fs::path folder = staging_parent / ("k9-import-staging-" + hex_encode(random_bytes(6)));
  fs::create_directories(folder);
  struct Remove {
    fs::path path;
    ~Remove() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } remove{folder};
  ImportResult result;
  store::sqlite::SqliteStore staging((folder / "staging.db").string());
  result.staged = stage_folder(dir, staging, staging_options);
  result.migration = migrate(staging, target, migration);
  return result;
}

}  // namespace k9::migrate
