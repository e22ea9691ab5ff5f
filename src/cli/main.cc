// k9: the one binary. `k9 serve` runs the embedded server; the other commands manage it.
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "catalog/snapshot/builder.h"
#include "cli/backup_command.h"
#include "cli/catalog_command.h"
#include "cli/lambda_command.h"
#include "cli/migrate_command.h"
#include "cli/transfer_command.h"
#include "cli/blob_config.h"
#include "cli/runtime.h"
#include "cli/upload_sweeper.h"
#include "cli/tables_command.h"
#include "core/error.h"
#include "core/request_context.h"
#include "http/metrics_endpoint.h"
#include "http/server.h"
#include "vision/extractors.h"
#include "metrics/metrics.h"

using namespace k9;

namespace {

class RequestIdFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string_view id = RequestScope::current();
    if (id.empty()) return;
    constexpr std::string_view label = " request_id=";
    dest.append(label.data(), label.data() + label.size());
    dest.append(id.data(), id.data() + id.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<RequestIdFlag>(); }
};

void setup_logging(const cli::Config& config) {
  // Operational messages go to stderr as text; the access log (one JSON object per
  // request, written by the HTTP server; K9_LOG_FORMAT=text: a line of text) goes to stdout.
  // --log-level / K9_LOG_LEVEL sets both (the access log writes at info).
  auto level = spdlog::level::from_str(config.log_level);
  if (level == spdlog::level::off && config.log_level != "off")
    throw Error(ErrorCode::bad_request, "--log-level must be trace, debug, info, warn, error, critical or off, not " +
                                            config.log_level);
  if (config.log_format != "json" && config.log_format != "text")
    throw Error(ErrorCode::bad_request, "K9_LOG_FORMAT must be json or text, not " + config.log_format);
  spdlog::set_default_logger(spdlog::stderr_logger_mt("k9"));
  spdlog::set_level(level);
  // `%&`: " request_id=..." on lines written while a request is handled (core/request_context.h),
  // so a store or blob retry names the request it delayed.
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<RequestIdFlag>('&').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v%&");
  spdlog::set_formatter(std::move(formatter));
  // The access log is buffered (stdio's buffer when stdout is a file or pipe) and flushed
  // every second: a write(2) per request cost a fifth of GET throughput. A crash may lose
  // the last second of access lines; operational messages (stderr) are written at once.
  auto access = std::make_shared<spdlog::logger>(
      "access", std::make_shared<spdlog::sinks::ostream_sink_mt>(std::cout, /*force_flush=*/false));
  access->set_pattern("%v");
  access->set_level(level);
  spdlog::register_logger(access);
  spdlog::flush_every(std::chrono::seconds(1));
}

int serve(cli::Config config) {
  setup_logging(config);
  config.choose_model_version = true;
  // Declared before the runtime, so it outlives the runtime's threads that report to it.
  std::unique_ptr<metrics::Registry> registry;
  cli::Runtime runtime(config);
  http::ServerOptions opts;
  opts.host = config.host;
  opts.port = static_cast<uint16_t>(config.port);
  opts.base_path = config.base_path;
  opts.cors_origin = config.cors_origin;
  opts.io_threads = config.io_threads;
  opts.access_log_text = config.log_format == "text";
  // Metrics (--metrics-port): requests counted by route name, served on a port of their own.
  if (config.metrics_port >= 0) {
    std::vector<std::string> names;
    for (auto& r : runtime.app().router().routes()) names.push_back(r.name);
    registry = std::make_unique<metrics::Registry>(names);
    opts.metrics = registry.get();
    runtime.attach_operation_sink(registry.get());
    runtime.set_analysis_observer([r = registry.get()](std::chrono::nanoseconds d, bool ok) { r->record_analysis(d, ok); });
  }
  cli::UploadSweeper sweeper(runtime.images());
  http::Server server(opts, runtime.app());
  server.start();
  std::unique_ptr<http::MetricsEndpoint> endpoint;
  std::unique_ptr<http::Server> metrics_server;
  if (registry) {
    registry->add_gauge({"k9_http_open_connections", "Open connections to the public port.",
                         [&server] { return double(server.connections()); }});
    registry->add_gauge({"k9_http_requests_in_flight", "Requests between their first byte and the end of their answer.",
                         [&server] { return double(server.in_flight()); }});
    registry->add_gauge({"k9_analysis_jobs_queued", "Report analyses in the durable queue (waiting or running).",
                         [&runtime] { return double(runtime.jobs().size(analysis::kQueue)); }});
    registry->add_gauge({"k9_store_retries_total", "Store calls its adapter repeated after a transient failure.",
                         [&runtime] { return double(runtime.store().retries()); }});
    registry->add_gauge({"k9_blobs_retries_total", "File-store calls its adapter repeated after a transient failure.",
                         [&runtime] { return double(runtime.blobs().retries()); }});
    registry->add_gauge({"k9_catalog_snapshot_age_seconds",
                         "Age of the catalog snapshot searches score against (absent: no catalog imported).",
                         [snapshot = catalog::snapshot::snapshot_path(config.data, runtime.analysis_version())] {
                           auto mtime = std::filesystem::last_write_time(snapshot);  // throws when absent
                           return std::chrono::duration<double>(std::filesystem::file_time_type::clock::now() - mtime)
                               .count();
                         }});
    http::ServerOptions m;
    m.host = config.metrics_host;
    m.port = static_cast<uint16_t>(config.metrics_port);
    m.io_threads = 1;
    m.handler_threads = 1;
    m.cors_origin = "";
    m.access_log = false;
    endpoint = std::make_unique<http::MetricsEndpoint>(*registry);
    metrics_server = std::make_unique<http::Server>(m, *endpoint);
    metrics_server->start();
    spdlog::info("k9 metrics on http://{}:{}/metrics", config.metrics_host, metrics_server->port());
  }
  runtime.start_workers();
  if (runtime.file_urls() && config.public_url.empty() && config.port == 0) {  // links name the port bound
    cli::Config bound = config;
    bound.port = server.port();
    runtime.file_urls()->set_base_url(cli::public_url(bound));
  }
  spdlog::info("k9 listening on http://{}:{} (data {})", config.host, server.port(), config.data.string());
  http::run_until_signal(server, std::chrono::seconds(10));
  if (metrics_server) metrics_server->stop(std::chrono::seconds(1));
  runtime.stop_workers();  // a running analysis finishes first; one cut short is taken up at the next start
  if (auto access = spdlog::get("access")) access->flush();
  spdlog::info("k9 stopped");
  return 0;
}

}  // namespace

namespace {

// The options k9 migrate and k9 import share: they copy the same way (migrate/migration.h).
void add_copy_options(CLI::App* cmd, bool& merge, std::string& checkpoint, std::string& legacy_model) {
  cmd->add_flag("--merge", merge, "copy into a store that holds other data (kept)");
  cmd->add_option("--checkpoint", checkpoint,
                  "file recording progress as batches commit; a run that finds it resumes there (removed once the "
                  "copy is verified)");
  cmd->add_option("--legacy-embeddings-model", legacy_model,
                  "model_version given to the Python generation's embeddings that have none (default python-legacy)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "K9: the visual material-matching backend.\n"
      "Configuration comes from the environment; flags override it. Every variable K9 reads:\n"
      "  K9_DATA, K9_STORE, K9_BLOBS, K9_AUTH          data folder, records, files, identities (see the flags)\n"
      "  K9_HOST, K9_PORT, K9_IO_THREADS, K9_BASE_PATH, K9_PUBLIC_URL, K9_CORS_ORIGIN, K9_WEB_DIR   k9 serve\n"
      "  K9_DOCS_DIR (the /docs page's files), K9_METRICS_PORT, K9_METRICS_HOST (GET /metrics; default none, 127.0.0.1)\n"
      "  K9_LOG_LEVEL (trace|debug|info|warn|error|off), K9_LOG_FORMAT (json|text: the access log's lines)\n"
      "  K9_ANALYSIS_WORKERS, K9_MATRIX_CACHE_MB, K9_LIST_CACHE (on|off), K9_REFRESH_ROTATION (on|off)\n"
      "  K9_MODEL_VERSION (k9-classic-1|k9-classic-2: what new reports are analysed with and catalog import writes;\n"
      "    unset: k9-classic-2, or the version the catalog has when it has no k9-classic-2 (a warning names\n"
      "    `k9 catalog reindex --model k9-classic-2`, the upgrade); set, k9 serve and k9 lambda refuse to start\n"
      "    when the catalog has another version but not this one)\n"
      "  K9_TOKEN_LIFETIME_SECONDS (local mode: id and access tokens' lifetime in seconds, 10..86400, default 3600)\n"
      "  K9_SCORER_ISA (generic|avx2|avx512|avx512vnni: force a scoring kernel, for benchmarks)\n"
      "  ENVIRONMENT, DYNAMODB_USERS_TABLE, DYNAMODB_REPORTS_TABLE, DYNAMODB_PRODUCTS_TABLE,\n"
      "  DYNAMODB_EMBEDDINGS_TABLE, K9_IDENTITIES_TABLE, K9_REFRESH_TOKENS_TABLE, K9_JOBS_TABLE   table names\n"
      "  AWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_LAMBDA,\n"
      "  AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, SIMILARITY_BUCKET\n"
      "  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE,\n"
      "  AWS_CONFIG_FILE, AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,\n"
      "  AWS_CONTAINER_AUTHORIZATION_TOKEN, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE   credentials, the usual ways\n"
      "  AWS_CA_BUNDLE, SSL_CERT_FILE   CA certificates for TLS (default: the system's bundle, Debian's or Amazon Linux's)\n"
      "  COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID, COGNITO_CLIENT_SECRET, K9_COGNITO_ISSUER   --auth cognito\n"
      "  AWS_LAMBDA_RUNTIME_API, AWS_LAMBDA_FUNCTION_NAME   k9 lambda (set by Lambda; it sets _X_AMZN_TRACE_ID);\n"
      "  LAMBDA_TASK_ROOT   the package's folder, for its bootstrap (set by Lambda)"};
  app.require_subcommand(1);
  cli::Config config = cli::Config::from_env();
  std::string data_flag;
  app.add_option("--data", data_flag, "data folder (default ./k9-data, or K9_DATA)");
  app.add_option("--auth", config.auth,
                 "identities: local (K9 issues its own tokens) or cognito (COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID, "
                 "optional COGNITO_CLIENT_SECRET, AWS_REGION, K9_COGNITO_ISSUER, "
                 "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER); default local, or K9_AUTH");
  app.add_option("--blobs", config.blobs,
                 "files: file:DIR (default file:<data>/blobs) or s3://BUCKET[/PREFIX] (AWS_REGION, AWS_ENDPOINT_URL_S3; "
                 "SIMILARITY_BUCKET names the bucket of s3://); default K9_BLOBS");
  const std::string model_help =
      "model version: k9-classic-1 or k9-classic-2 (default K9_MODEL_VERSION, else k9-classic-2 unless the catalog "
      "has only another)";
  std::vector<CLI::Option*> model_options{app.add_option("--model", config.model_version, model_help)};
  app.add_option("--store", config.store,
                 "records: sqlite:PATH (default sqlite:<data>/k9.db) or dynamodb (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB)");

  auto* serve_cmd = app.add_subcommand("serve", "run the HTTP server (embedded mode: SQLite, local tokens)");
  serve_cmd->add_option("--host", config.host, "address to listen on")->capture_default_str();
  serve_cmd->add_option("--port", config.port, "port to listen on (0: any free port)")->capture_default_str();
  serve_cmd->add_option("--data", data_flag, "data folder");
  serve_cmd->add_option("--base-path", config.base_path, "path prefix to strip, e.g. /prod");
  serve_cmd->add_option("--public-url", config.public_url,
                        "where browsers reach this server, for signed file links (default http://HOST:PORT/BASE-PATH, "
                        "or K9_PUBLIC_URL)");
  serve_cmd->add_option("--web", config.web_dir,
                        "a folder of static files served beside the API, e.g. the web app's export "
                        "(scripts/build-webapp.sh); or K9_WEB_DIR");
  serve_cmd->add_option("--docs-dir", config.docs_dir,
                        "the API documentation page's files (GET /docs; default <dir of k9>/api-docs); or K9_DOCS_DIR");
  serve_cmd->add_option("--metrics-port", config.metrics_port,
                        "serve GET /metrics (Prometheus) on this port of K9_METRICS_HOST (default 127.0.0.1); "
                        "-1: none (default), 0: any free port; or K9_METRICS_PORT")
      ->capture_default_str();
  serve_cmd->add_option("--log-level", config.log_level,
                        "trace, debug, info, warn, error or off (the access log writes at info); or K9_LOG_LEVEL")
      ->capture_default_str();
  serve_cmd->add_option("--io-threads", config.io_threads, "network threads (0: one per core)")->capture_default_str();
  serve_cmd->add_option("--analysis-workers", config.analysis_workers,
                        "report analyses run at once (0: queue them only, for another server to run)")
      ->capture_default_str();

  auto* lambda_cmd = app.add_subcommand(
      "lambda", "run as an AWS Lambda custom runtime (AWS_LAMBDA_RUNTIME_API): API Gateway proxy events (payload "
                "1.0 and 2.0) through the same routes as serve; analyses start as asynchronous invocations of "
                "AWS_LAMBDA_FUNCTION_NAME (AWS_ENDPOINT_URL_LAMBDA overrides the endpoint); data folder /tmp/k9-data "
                "unless K9_DATA is set");

  auto* users_cmd = app.add_subcommand("users", "manage local-mode users");
  users_cmd->require_subcommand(1);
  auto* add_cmd = users_cmd->add_subcommand("add", "add a user who can sign in with /auth/login");
  std::string username, password, name, email;
  bool temporary = false, exist_ok = false;
  add_cmd->add_option("NAME", username, "username")->required();
  add_cmd->add_option("--password", password, "password (8 characters or more)")->required();
  add_cmd->add_flag("--temporary", temporary, "the user must set a new password at first sign-in");
  add_cmd->add_option("--name", name, "display name");
  add_cmd->add_option("--email", email, "email address");
  add_cmd->add_flag("--exist-ok", exist_ok, "succeed when the user exists already");

  auto* tables_cmd = app.add_subcommand("tables", "manage the store's tables");
  tables_cmd->require_subcommand(1);
  auto* tables_create_cmd = tables_cmd->add_subcommand(
      "create", "create every missing table and index (pay-per-request in DynamoDB), wait until active; "
                "changes nothing that exists");

  auto* revoke_cmd = users_cmd->add_subcommand("revoke-tokens", "revoke every refresh token of a local user");
  std::string revoke_user;
  revoke_cmd->add_option("NAME", revoke_user, "username")->required();

  auto* delete_cmd = users_cmd->add_subcommand(
      "delete", "delete a local user's sign-in: password and refresh tokens go, and tokens already issued are "
                "refused by a running k9 serve within 5 seconds; the user's profile, reports and files are kept");
  std::string delete_user;
  delete_cmd->add_option("NAME", delete_user, "username")->required();

  auto* keys_cmd = app.add_subcommand("keys", "manage local-mode token signing keys (<data>/keys)");
  keys_cmd->require_subcommand(1);
  auto* rotate_cmd = keys_cmd->add_subcommand(
      "rotate", "add a new signing key; the 3 newest keys keep verifying, so tokens signed by the previous keys "
                "stay valid until they expire (a running server picks the new key up within seconds)");

  auto* catalog_cmd = app.add_subcommand("catalog", "manage the product catalog");
  catalog_cmd->require_subcommand(1);
  auto* import_cmd = catalog_cmd->add_subcommand(
      "import", "import DIR/products.jsonl (one product per line, image urls relative to DIR) with embeddings of "
                "--model; idempotent and resumable: a re-import changes only what changed");
  std::string import_dir;
  int import_workers = 2;
  import_cmd->add_option("DIR", import_dir, "catalog folder")->required();
  import_cmd->add_option("--workers", import_workers, "analysis threads")->capture_default_str();
  import_cmd->add_option("--data", data_flag, "data folder");
  model_options.push_back(import_cmd->add_option("--model", config.model_version, model_help));
  auto* reindex_cmd = catalog_cmd->add_subcommand(
      "reindex", "compute the embeddings of --model for the catalog already imported (from its images in the file "
                 "store), beside the other versions', and that version's snapshot; idempotent: products analysed "
                 "with the version since their last change are skipped");
  int reindex_workers = 2;
  model_options.push_back(reindex_cmd->add_option("--model", config.model_version, model_help)->required());
  reindex_cmd->add_option("--workers", reindex_workers, "analysis threads")->capture_default_str();
  reindex_cmd->add_option("--data", data_flag, "data folder");
  auto* demo_cmd = catalog_cmd->add_subcommand(
      "demo", "write a procedural demo catalog (wood, marble, terrazzo, slate, brick, tile, stone, fabric, solid "
              "colours; several photos per product) to a folder and import it");
  cli::DemoCommandOptions demo_options;
  std::string demo_out;
  bool demo_no_import = false;
  demo_cmd->add_option("--count", demo_options.count, "number of products")->capture_default_str();
  demo_cmd->add_option("--seed", demo_options.seed, "seed: the same seed gives the same catalog")->capture_default_str();
  demo_cmd->add_option("--photos", demo_options.photos, "photos per product")->capture_default_str();
  demo_cmd->add_option("--out", demo_out, "folder to write (default <data>/demo-catalog)");
  demo_cmd->add_flag("--no-import", demo_no_import, "only write the folder");
  demo_cmd->add_option("--data", data_flag, "data folder");

  auto* blobs_cmd = app.add_subcommand("blobs", "manage the file store (--blobs)");
  blobs_cmd->require_subcommand(1);
  auto* sweep_cmd = blobs_cmd->add_subcommand(
      "sweep", "delete uploads older than a day (reports keep their own copies); k9 serve does this every hour");

  auto* backup_cmd = app.add_subcommand(
      "backup", "write the embedded store's data folder (store, files, keys) to one archive while k9 serve keeps "
                "serving: every write acknowledged before it began, a manifest of SHA-256s, PATH.sha256 beside it");
  std::string backup_path;
  bool restore_replace = false;
  backup_cmd->add_option("PATH", backup_path, "archive to write")->required();
  backup_cmd->add_option("--data", data_flag, "data folder");
  auto* restore_cmd = app.add_subcommand(
      "restore", "check a backup and restore it into the data folder; refuses a store in use, and one that holds "
                 "data unless --replace (the replaced folder is kept beside it)");
  restore_cmd->add_option("PATH", backup_path, "archive to restore")->required();
  restore_cmd->add_flag("--replace", restore_replace, "replace the store in the data folder (kept as DATA.before-restore-TIME)");
  restore_cmd->add_option("--data", data_flag, "data folder");

  auto* migrate_cmd = app.add_subcommand(
      "migrate", "copy every table from one store to another (URLs as --store takes them: sqlite:PATH, dynamodb), "
                 "page by page in batches of 25, then verify counts and checksums; idempotent, resumable with "
                 "--checkpoint; refuses a target that holds other data unless --merge");
  cli::MigrateCommandOptions migrate_options;
  migrate_cmd->add_option("--from", migrate_options.from, "source store: sqlite:PATH or dynamodb")->required();
  migrate_cmd->add_option("--to", migrate_options.to, "target store: sqlite:PATH or dynamodb")->required();
  add_copy_options(migrate_cmd, migrate_options.merge, migrate_options.checkpoint,
                   migrate_options.legacy_embeddings_model);

  auto* export_cmd = app.add_subcommand(
      "export", "write every table of the store (--store, --data) to DIR in the layout of DynamoDB's export to "
                "S3 (DIR/<table>/AWSDynamoDB/<id>/: gzipped DynamoDB JSON lines, manifests with MD5s), then read "
                "it back and verify counts and checksums");
  cli::ExportCommandOptions export_options;
  export_cmd->add_option("--to", export_options.to, "a new or empty folder")->required();
  export_cmd->add_option("--items-per-file", export_options.items_per_file, "items per data file")
      ->capture_default_str();
  export_cmd->add_option("--data", data_flag, "data folder");

  auto* table_import_cmd = app.add_subcommand(
      "import", "import DIR into the store (--store, --data): K9's export (k9 export), one table exported by "
                "DynamoDB (--table), or the DuckDB generation's JSON lines (scripts/duckdb-export.mjs); everything "
                "checked before the store is touched, then copied as k9 migrate copies and verified; refuses a store "
                "that holds other data unless --merge");
  cli::ImportCommandOptions import_options;
  table_import_cmd->add_option("--from", import_options.from, "folder to import")->required();
  table_import_cmd->add_option("--table", import_options.table,
                               "for one table's export: users, reports, products, embeddings, identities, "
                               "refresh-tokens or jobs");
  add_copy_options(table_import_cmd, import_options.merge, import_options.checkpoint,
                   import_options.legacy_embeddings_model);
  table_import_cmd->add_option("--staging", import_options.staging,
                               "folder for the staging copy (default: the system's temporary folder)");
  table_import_cmd->add_option("--data", data_flag, "data folder");

  auto* token_cmd = app.add_subcommand("token", "print an id token for a local user");
  std::string token_user;
  token_cmd->add_option("NAME", token_user, "username")->required();

  CLI11_PARSE(app, argc, argv);
  if (!data_flag.empty()) config.data = data_flag;
  for (auto* o : model_options) config.model_version_set = config.model_version_set || o->count() > 0;

  try {
    config.model_version = vision::checked_model_version(config.model_version);
    if (*serve_cmd) return serve(config);
    if (*lambda_cmd) {
      setup_logging(config);
      return cli::lambda_command(config);
    }
    if (*tables_create_cmd) return cli::create_tables(config, std::cout);
    if (*sweep_cmd) {
      cli::Runtime runtime(config);
      std::cout << "swept " << runtime.images().sweep_uploads() << " uploads older than a day\n";
      return 0;
    }
    if (*import_cmd) return cli::import_catalog_command(config, import_dir, import_workers, std::cout);
    if (*reindex_cmd) return cli::reindex_catalog_command(config, reindex_workers, std::cout);
    if (*demo_cmd) {
      demo_options.out = demo_out;
      demo_options.import = !demo_no_import;
      return cli::demo_catalog_command(config, demo_options, std::cout);
    }
    const bool local_command = *add_cmd || *revoke_cmd || *delete_cmd || *rotate_cmd || *token_cmd;
    if (local_command && config.auth != "local")
      throw Error(ErrorCode::bad_request, "this command manages local-mode identities; it does nothing with --auth " +
                                              config.auth);
    if (*rotate_cmd) {
      cli::Runtime runtime(config);
      runtime.keys().rotate();
      std::cout << "signing key " << runtime.keys().current()->kid << " is current; verifying:";
      for (const auto& kid : runtime.keys().kids()) std::cout << " " << kid;
      std::cout << "\n";
      return 0;
    }
    if (*revoke_cmd) {
      cli::Runtime runtime(config);
      std::cout << "revoked " << runtime.refresh_tokens().revoke_user(revoke_user) << " refresh tokens of "
                << revoke_user << "\n";
      return 0;
    }
    if (*delete_cmd) {
      cli::Runtime runtime(config);
      auto c = runtime.credentials().remove(delete_user);
      if (!c) throw Error(ErrorCode::not_found, "no such user: " + delete_user);
      const size_t revoked = runtime.refresh_tokens().revoke_user(c->username);
      std::cout << "deleted " << c->username << " (sub " << c->sub << "): cannot sign in any more, " << revoked
                << " refresh tokens revoked; tokens already issued are refused within "
                << identity::local::AccountGateOptions{}.ttl.count()
                << " s. Their profile, reports and files are kept.\n";
      return 0;
    }
    if (*add_cmd) {
      cli::Runtime runtime(config);
      try {
        auto c = runtime.credentials().add(username, password, temporary, name, email);
        std::cout << "added " << c.username << " (sub " << c.sub << ")\n";
      } catch (const Error& e) {
        if (!(exist_ok && e.code() == ErrorCode::conflict)) throw;
        std::cout << username << " exists already\n";
      }
      return 0;
    }
    if (*backup_cmd) return cli::backup_command(config, backup_path, std::cout);
    if (*restore_cmd) return cli::restore_command(config, backup_path, restore_replace, std::cout);
    if (*migrate_cmd) return cli::migrate_command(config, migrate_options, std::cout);
    if (*export_cmd) return cli::export_command(config, export_options, std::cout);
    if (*table_import_cmd) return cli::import_command(config, import_options, std::cout);
    if (*token_cmd) {
      cli::Runtime runtime(config);
      auto c = runtime.credentials().find(token_user);
      if (!c) throw Error(ErrorCode::not_found, "no such user: " + token_user);
      std::cout << runtime.issuer().issue(*c).id_token << "\n";
      return 0;
    }
  } catch (const Error& e) {
    std::cerr << "k9: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "k9: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
