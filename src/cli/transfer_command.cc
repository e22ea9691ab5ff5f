#include "cli/transfer_command.h"

#include "cli/migrate_command.h"
#include "cli/progress.h"
#include "core/error.h"
#include "migrate/checkpoint.h"
#include "migrate/export_tables.h"
#include "migrate/migration.h"
#include "migrate/staging.h"

namespace k9::cli {

namespace fs = std::filesystem;

namespace {

repo::Tables tables_from_env() {
  return repo::Tables::from_env([](const char* n) { return std::getenv(n); });
}

// The configured store as messages name it ("sqlite:/abs/k9.db", "dynamodb https://...").
std::string store_label(const Config& config) {
  return cli::store_label("--store", config.store.empty() ? "sqlite:" + (config.data / "k9.db").string() : config.store);
}

std::unique_ptr<store::Store> open_healthy(const Config& config, const std::string& label) {
  auto store = open_store(config);
  if (!store->healthy()) throw Error(ErrorCode::unavailable, label + " does not answer (unreachable or unusable)");
  return store;
}

}  // namespace

int export_command(const Config& config, const ExportCommandOptions& options, std::ostream& out) {
  if (options.to.empty()) throw Error(ErrorCode::bad_request, "k9 export needs --to DIR");
  std::string label = store_label(config);
  auto store = open_healthy(config, label);
  migrate::ExportOptions o;
  o.tables = tables_from_env().by_kind();
  o.items_per_file = options.items_per_file;
  Progress progress("export");
  o.on_message = [&](const std::string& line) { progress.message(line); };
  auto tables = migrate::export_tables(*store, options.to, o);
  progress.finish();
  uint64_t items = 0;
  for (auto& t : tables) {
    out << t.kind << " (" << t.table << "): " << t.digest.count() << " items, sha256 sum " << t.digest.hex() << "\n";
    items += t.digest.count();
  }
  out << "exported " << label << " to " << fs::absolute(options.to).lexically_normal().string() << ": " << items
      << " items in " << tables.size() << " tables, every table read back and verified\n";
  return 0;
}

int import_command(const Config& config, const ImportCommandOptions& options, std::ostream& out) {
  if (options.from.empty()) throw Error(ErrorCode::bad_request, "k9 import needs --from DIR");
  fs::path from = fs::absolute(options.from).lexically_normal();
  migrate::folder_kind(from);  // what it is, before any store opens
  if (!options.checkpoint.empty()) migrate::Checkpoint::load(options.checkpoint);
  std::string label = store_label(config);
  auto target = open_healthy(config, label);

  auto tables = tables_from_env();
  auto schemas = all_table_schemas(tables);
  migrate::StagingOptions s;
  for (auto& [kind, name] : tables.by_kind())
    for (auto& schema : schemas)
      if (schema.name == name) s.tables.push_back({kind, schema});
  s.table = options.table;
  s.legacy_embeddings_model =
      options.legacy_embeddings_model.empty() ? migrate::kLegacyEmbeddingsModel : options.legacy_embeddings_model;
  Progress progress("import");
  s.on_message = [&](const std::string& line) { progress.message(line); };
  migrate::MigrationOptions m;
  m.tables = schemas;
  m.from_label = "import " + from.string() + (options.table.empty() ? "" : " --table " + options.table);
  m.to_label = label;
  m.merge = options.merge;
  m.checkpoint = options.checkpoint;
  m.on_progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
  m.on_message = s.on_message;
  auto [staged, result] = migrate::import_folder(
      from, *target, s, m, options.staging.empty() ? fs::temp_directory_path() : fs::path(options.staging));
  progress.finish();
  for (auto& t : staged) out << t.kind << " (" << t.table << "): " << t.items << " items read\n";
  out << "imported " << from.string() << " into " << label << ": " << result.copied << " items written"
      << (result.resumed ? " (resumed from the checkpoint)" : "") << ", every table verified\n";
  return 0;
}

}  // namespace k9::cli
