#include "cli/migrate_command.h"

#include "aws/dynamodb_client.h"
#include "cli/progress.h"
#include "core/error.h"
#include "migrate/checkpoint.h"
#include "migrate/migration.h"

namespace k9::cli {

namespace fs = std::filesystem;

namespace {

struct Endpoint {
  std::string label;  // how messages and the checkpoint name the store
  std::unique_ptr<store::Store> store;
};

fs::path sqlite_path(const std::string& url) { return fs::absolute(url.substr(7)).lexically_normal(); }

// `url` as --store takes it, opened through open_store (runtime.h). The source must exist: a
// missing SQLite file is an error, not a new empty store.
Endpoint open_endpoint(const Config& config, const std::string& flag, const std::string& url, bool source) {
  Endpoint e{store_label(flag, url), nullptr};
  if (url.rfind("sqlite:", 0) == 0) {
    fs::path path = sqlite_path(url);
    if (source && !fs::exists(path)) throw Error(ErrorCode::bad_request, flag + ": " + e.label + " does not exist");
  }
  Config c = config;
  c.store = url;
  try {
    e.store = open_store(c);
  } catch (const Error& err) {
    throw Error(err.code(), flag + ": " + err.message());
  }
  return e;
}

}  // namespace

std::string store_label(const std::string& flag, const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0 && url.size() > 7) return "sqlite:" + sqlite_path(url).string();
  if (url == "dynamodb") return "dynamodb " + aws::DynamoDbOptions::from_env().endpoint_url();
  throw Error(ErrorCode::bad_request, flag + ": unsupported store URL '" + url + "' (sqlite:PATH or dynamodb)");
}

int migrate_command(const Config& config, const MigrateCommandOptions& options, std::ostream& out) {
  if (options.from.empty() || options.to.empty())
    throw Error(ErrorCode::bad_request, "k9 migrate needs --from URL and --to URL (sqlite:PATH or dynamodb)");
  // Both URLs are checked before either store is opened: a bad --to leaves nothing made.
  std::string from_label = store_label("--from", options.from);
  if (store_label("--to", options.to) == from_label)
    throw Error(ErrorCode::bad_request, "--from and --to name the same store: " + from_label);
  if (!options.checkpoint.empty()) migrate::Checkpoint::load(options.checkpoint);  // a damaged one: before any store opens
  Endpoint from = open_endpoint(config, "--from", options.from, true);
  Endpoint to = open_endpoint(config, "--to", options.to, false);

  auto tables = repo::Tables::from_env([](const char* n) { return std::getenv(n); });
  migrate::MigrationOptions o;
  o.tables = all_table_schemas(tables);
  o.from_label = from.label;
  o.to_label = to.label;
  o.merge = options.merge;
  o.checkpoint = options.checkpoint;
  o.embeddings_table = tables.embeddings;
  if (!options.legacy_embeddings_model.empty()) o.legacy_embeddings_model = options.legacy_embeddings_model;
  Progress progress("migrate");
  o.on_progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
  o.on_message = [&](const std::string& line) { progress.message(line); };
  auto result = migrate::migrate(*from.store, *to.store, o);
  progress.finish();
  for (auto& t : result.tables)
    out << t.table << ": " << t.target.count() << " items" << (t.in_source ? "" : " (not in the source)")
        << ", sha256 sum " << t.target.hex() << "\n";
  out << "migrated " << from.label << " to " << to.label << ": " << result.copied << " items written"
      << (result.resumed ? " (resumed from the checkpoint)" : "") << ", every table verified\n";
  return 0;
}

}  // namespace k9::cli
