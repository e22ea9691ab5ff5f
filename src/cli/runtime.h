// The embedded runtime: everything `k9 serve` and the local commands need, wired from a
// configuration (flags over environment, SPEC section 5). One place builds the object graph.
#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "analysis/catalog_snapshots.h"
#include "analysis/matrices.h"
#include "analysis/report_analysis.h"
#include "api/app.h"
#include "core/operation_tap.h"
#include "api/static_site.h"
#include "api/auth_routes.h"
#include "api/embedding_routes.h"
#include "api/file_routes.h"
#include "api/health_routes.h"
#include "api/profile_routes.h"
#include "api/report_routes.h"
#include "api/result_routes.h"
#include "jobs/job_queue.h"
#include "jobs/worker_pool.h"
#include "search/matrix_cache.h"
#include "core/prefetched.h"
#include "vision/extractor.h"
#include "identity/cognito/cognito_authenticator.h"
#include "identity/cognito/cognito_settings.h"
#include "identity/cognito/cognito_verifier.h"
#include "identity/cognito/jwks_cache.h"
#include "identity/local/credential_repository.h"
#include "identity/local/key_store.h"
#include "identity/local/local_authenticator.h"
#include "identity/local/local_issuer.h"
#include "identity/local/login_throttle.h"
#include "identity/local/refresh_token_repository.h"
#include "repo/report_repository.h"
#include "repo/tables.h"
#include "repo/user_repository.h"
#include "store/store.h"

namespace k9::cli {

struct Config {
  std::filesystem::path data = "./k9-data";
  std::string store;  // "sqlite:PATH" or "dynamodb"; empty: sqlite:<data>/k9.db
  std::string host = "127.0.0.1";
  int port = 3001;
  std::string base_path;
  std::string cors_origin = "*";
  size_t max_body_bytes = 1024 * 1024;
  int io_threads = 0;  // 0: one per core
  std::string auth = "local";         // identities: "local" or "cognito" (K9_AUTH, --auth)
  bool rotate_refresh_tokens = false;  // local mode; K9_REFRESH_ROTATION=on rotates (Cognito's default: off)
  // Local mode: lifetime of the id and access tokens K9 issues (K9_TOKEN_LIFETIME_SECONDS, 10..86400).
  // Empty: an hour, as Cognito's default. Short ones let a test see the web app refresh.
  std::string token_lifetime_seconds;
  std::string blobs;       // "file:DIR" or "s3://BUCKET[/PREFIX]" (K9_BLOBS, --blobs); empty: file:<data>/blobs
  std::string public_url;  // where browsers reach K9 (K9_PUBLIC_URL, --public-url); empty: http://host:port/base
  size_t max_upload_bytes = 20 * 1024 * 1024;  // PUT /uploads/{name} and PUT /user/avatar
  unsigned analysis_workers = 1;  // analyses at once (K9_ANALYSIS_WORKERS; 0: queue only, another process runs them); each scores on all cores
  size_t matrix_cache_bytes = 512u << 20;  // similarity matrices kept in memory (K9_MATRIX_CACHE_MB)
  bool list_cache = true;
  // Create missing tables at start (k9 serve, the commands). k9 lambda does not: its tables
  // come with the stack (infrastructure/template.yaml) and a cold start should not wait on
  // one DescribeTable per table.
  bool ensure_tables = true;
  // A folder of static files served beside the API (the web app's export; K9_WEB_DIR, --web).
  std::string web_dir;
  // The API documentation page's files (K9_DOCS_DIR, --docs-dir); empty: <dir of k9>/api-docs
  // when the build put them there. GET /openapi.json needs none.
  std::string docs_dir;
  // k9 serve's metrics (K9_METRICS_PORT, --metrics-port; K9_METRICS_HOST): GET /metrics on its
  // own port, loopback by default; -1: none, 0: any free port.
  int metrics_port = -1;
  std::string metrics_host = "127.0.0.1";
  // Logs (K9_LOG_LEVEL, --log-level: trace, debug, info, warn, error, off; K9_LOG_FORMAT: json
  // (the access log's lines are JSON objects) or text (for a terminal)).
  std::string log_level = "info";
  std::string log_format = "json";  // K9_LIST_CACHE=off: GET /reports always reads the store (benchmarks compare)
  // The model version new reports are analysed with and `k9 catalog import` / `reindex` write
  // (K9_MODEL_VERSION, --model; vision/extractors.h lists the known ones). A report keeps the
  // version it was analysed with, whatever this becomes later. `model_version_set`: named by
  // the environment or a flag; when not, a server and `k9 catalog import` take the version
  // the catalog has when it lacks this default (analysis/model_choice.h).
  std::string model_version = kNewAnalysisModelVersion;
  bool model_version_set = false;
  // k9 serve and k9 lambda: Runtime chooses the analysis version from the catalog
  // (analysis::choose_model_version: a warning when it falls back, k9::Error when the set
  // version is missing from a catalog of another). The other commands use model_version as is.
  bool choose_model_version = false;
  // k9 lambda: an unset version is chosen on a thread of its own beside start-up (a snapshot
  // HEAD and an index query or two), not before the first answer; a set one is still checked
  // before (the init fails when the catalog lacks it).
  bool defer_model_choice = false;

  // Reads K9_DATA, K9_STORE, K9_HOST, K9_PORT, K9_BASE_PATH, K9_CORS_ORIGIN, K9_AUTH,
  // K9_REFRESH_ROTATION (on|off, default off), K9_BLOBS, K9_PUBLIC_URL, K9_ANALYSIS_WORKERS, K9_MATRIX_CACHE_MB,
  // K9_LIST_CACHE (on|off), K9_TOKEN_LIFETIME_SECONDS, K9_MODEL_VERSION (as written: Runtime and the
  // commands refuse an unknown version with k9::Error bad_request, vision/extractors.h).
  static Config from_env();
};

class Runtime {
 public:
  explicit Runtime(const Config& config);
  ~Runtime();

  store::Store& store() { return *store_; }
  // Local-mode identities (--auth local); null in Cognito mode.
  bool local_identities() const { return credentials_ != nullptr; }
  identity::local::CredentialRepository& credentials() { return *credentials_; }
  identity::local::LocalIssuer& issuer() { return *issuer_; }
  identity::local::KeyStore& keys() { return *keys_; }
  identity::local::RefreshTokenRepository& refresh_tokens() { return *refresh_tokens_; }
  api::App& app() { return *app_; }
  // The model version new reports are analysed with (Config::choose_model_version).
  std::string analysis_version() const { return extractor_->model_version(); }
  blobs::BlobStore& blobs() { return *blobs_; }
  uploads::ImageFiles& images() { return *images_; }
  // Signed file links (file: blobs); null with S3.
  blobs::FileUrlSigner* file_urls() { return file_urls_.get(); }
  // Starts the background analysis workers (k9 serve). On SQLite this process is the queue's
  // only consumer, so analyses cut short by a crash are taken up again at once.
  void start_workers();
  void stop_workers();
  // Lambda mode: no worker threads. `trigger` runs after each report is created (an
  // asynchronous invocation of this function); run_due_analyses() then claims and runs the
  // due analyses on the calling thread until none is due or `deadline` is near; it returns
  // how many ran.
  void set_analysis_trigger(std::function<void()> trigger) { analysis_trigger_ = std::move(trigger); }
  // Hears each analysis a worker ran (before start_workers()): how long, and whether it ended
  // well (metrics).
  void set_analysis_observer(std::function<void(std::chrono::nanoseconds, bool ok)> observer) {
    analysis_observer_ = std::move(observer);
  }
  size_t run_due_analyses(std::chrono::system_clock::time_point deadline);
  jobs::JobQueue& jobs() { return *jobs_; }
  // Where every store and blob call is reported once it is set (metrics::Registry); safe to
  // set while the runtime works.
  void attach_operation_sink(OperationSink* sink) { tap_.attach(sink); }

 private:
  OperationTap tap_;
  // The adapters; the services use them through the timing decorators store_ and blobs_.
  std::unique_ptr<store::Store> backend_store_;
  std::unique_ptr<blobs::BlobStore> backend_blobs_;
  std::unique_ptr<store::Store> store_;
  repo::Tables tables_;
  std::unique_ptr<identity::local::KeyStore> keys_;
  std::unique_ptr<identity::local::LocalIssuer> issuer_;
  std::unique_ptr<identity::local::CredentialRepository> credentials_;
  std::unique_ptr<identity::local::RefreshTokenRepository> refresh_tokens_;
  std::unique_ptr<identity::local::LoginThrottle> throttle_;
  std::unique_ptr<identity::local::LocalAuthenticator> authenticator_;
  std::unique_ptr<identity::cognito::JwksCache> pool_keys_;
  std::unique_ptr<identity::cognito::CognitoVerifier> cognito_verifier_;
  std::unique_ptr<identity::cognito::CognitoApi> cognito_api_;
  std::unique_ptr<identity::cognito::CognitoAuthenticator> cognito_authenticator_;
  std::shared_ptr<blobs::FileUrlSigner> file_urls_;  // file: blobs only
  std::unique_ptr<blobs::BlobStore> blobs_;
  std::shared_ptr<Prefetched<std::string>> cursor_key_;  // shared stores only; reports_ holds it too
  std::unique_ptr<uploads::ImageFiles> images_;
  std::unique_ptr<repo::UserRepository> users_;
  std::unique_ptr<repo::ReportRepository> reports_;
  std::unique_ptr<repo::ProductRepository> products_;
  std::unique_ptr<repo::EmbeddingRepository> embeddings_;
  std::shared_ptr<Prefetched<std::string>> model_choice_;  // defer_model_choice only; uses embeddings_ and blobs_
  std::unique_ptr<jobs::JobQueue> jobs_;
  std::unique_ptr<vision::Extractor> extractor_;
  std::unique_ptr<analysis::CatalogSnapshots> snapshots_;
  std::unique_ptr<search::MatrixCache> matrix_cache_;
  std::unique_ptr<analysis::Matrices> matrices_;
  std::unique_ptr<analysis::ReportAnalysis> analysis_;
  std::unique_ptr<jobs::WorkerPool> workers_;
  bool exclusive_store_ = false;
  unsigned analysis_workers_ = 1;
  std::unique_ptr<api::AnalysisStart> analysis_start_;
  std::function<void()> analysis_trigger_;
  std::function<void(std::chrono::nanoseconds, bool)> analysis_observer_;
  std::unique_ptr<jobs::WorkerPool> inline_runner_;  // run_due_analyses(): never started
  std::unique_ptr<api::StaticSite> web_;
  std::unique_ptr<api::App> app_;
};

// A secret kept in <data>/<name> (created with 32 random bytes, mode 0600, when absent).
std::string load_or_create_secret(const std::filesystem::path& data, const std::string& name);
// A secret every process of a deployment shares, kept at k9-secrets/<name> in the blob store
// (created with 32 random bytes when absent; the stored one wins a race).
std::string load_or_create_shared_secret(blobs::BlobStore& blobs, const std::string& name);

// The store named by config.store: "sqlite:PATH" (default sqlite:<data>/k9.db; its folder is
// made when missing) or "dynamodb" (region, endpoint and credentials from the environment).
// `on_change` hears each change ensure_table() makes (DynamoDB only).
std::unique_ptr<store::Store> open_store(const Config& config,
                                         std::function<void(const std::string&)> on_change = {});

// Every table K9 uses: SPEC section 2's, plus the local identities and refresh tokens.
std::vector<store::TableSchema> all_table_schemas(const repo::Tables& tables);

}  // namespace k9::cli
