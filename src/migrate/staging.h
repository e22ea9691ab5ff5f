// What `k9 import --from DIR` reads, loaded into a store of its own (a fresh SQLite file), so
// that k9 migrate's copy, other-data check, checkpoint and verification carry it into the
// target exactly as they carry a store (cli/transfer_command.cc). DIR is one of:
//
//   - K9's export (`k9 export --to DIR`): DIR/<kind>/ holds one table in DynamoDB's export
//     layout (table_export/table_export.h), <kind> as repo::Tables::by_kind() names it;
//   - one table exported by DynamoDB itself (DIR/AWSDynamoDB/<id>/, or that folder): the
//     table it goes to is named (--table KIND);
//   - the DuckDB generation's tables as JSON lines (users.json, reports.json,
//     product_embeddings.json: scripts/duckdb-export.mjs), each row made K9's item
//     (generations/duckdb_rows.h).
//
// Everything is read and checked while it is staged; the first fault throws k9::Error
// (bad_request) naming the file and line or item, and the target has not been touched.
// Embeddings without a model_version (the Python generation's first table) get the SPEC key
// as k9 migrate gives it (legacy_embeddings.h).
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "migrate/migration.h"
#include "store/store.h"

namespace k9::migrate {

enum class FolderKind { k9_export, table_export, duckdb_json };

// What DIR holds; throws (bad_request) naming DIR when it is none of the three.
FolderKind folder_kind(const std::filesystem::path& dir);

struct StagingOptions {
  // Every table K9 has: {kind, schema} (the schema's name is the physical name to stage into).
  std::vector<std::pair<std::string, store::TableSchema>> tables;
  std::string table;  // with FolderKind::table_export: the kind of the table it goes to
  std::string legacy_embeddings_model;
  std::function<void(const std::string&)> on_message;
};

struct StagedTable {
  std::string kind, table;
  uint64_t items = 0;
};

// Loads `dir` into `staging` (every table of `options` made there first).
std::vector<StagedTable> stage_folder(const std::filesystem::path& dir, store::Store& staging,
                                      const StagingOptions& options);

struct ImportResult {
  std::vector<StagedTable> staged;
  MigrationResult migration;
};

// `k9 import`: `dir` staged in a SQLite file in a new folder below `staging_parent` (removed
// afterwards, however the import ends), then migrate()d into `target` with `migration` (its
// tables, labels, merge, checkpoint: migration.h).
ImportResult import_folder(const std::filesystem::path& dir, store::Store& target, const StagingOptions& staging,
                           const MigrationOptions& migration, const std::filesystem::path& staging_parent);

}  // namespace k9::migrate
