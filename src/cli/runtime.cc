#include "cli/runtime.h"

#include "blobs/observed_blob_store.h"
#include "store/observed_store.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "analysis/model_choice.h"
#include "api/docs_routes.h"
#include "api/webapp_routes.h"
#include "cli/blob_config.h"
#include "core/error.h"
#include "core/random.h"
#include "store/dynamodb/dynamodb_store.h"
#include "store/sqlite/sqlite_store.h"
#include "vision/deferred_extractor.h"
#include "vision/extractors.h"

namespace k9::cli {

namespace fs = std::filesystem;

Config Config::from_env() {
  Config c;
  auto env = [](const char* n) -> const char* {
    const char* v = std::getenv(n);
    return v && *v ? v : nullptr;
  };
  if (auto v = env("K9_DATA")) c.data = v;
  if (auto v = env("K9_STORE")) c.store = v;
  if (auto v = env("K9_HOST")) c.host = v;
  if (auto v = env("K9_PORT")) c.port = std::atoi(v);
  if (auto v = env("K9_BASE_PATH")) c.base_path = v;
  if (auto v = env("K9_CORS_ORIGIN")) c.cors_origin = v;
  if (auto v = env("K9_AUTH")) c.auth = v;
  if (auto v = env("K9_REFRESH_ROTATION")) c.rotate_refresh_tokens = std::string(v) == "on";
  if (auto v = env("K9_BLOBS")) c.blobs = v;
  if (auto v = env("K9_PUBLIC_URL")) c.public_url = v;
  if (auto v = env("K9_ANALYSIS_WORKERS")) c.analysis_workers = unsigned(std::max(0, std::atoi(v)));
  if (auto v = env("K9_MATRIX_CACHE_MB")) c.matrix_cache_bytes = size_t(std::max(0, std::atoi(v))) << 20;
  if (auto v = env("K9_WEB_DIR")) c.web_dir = v;
  if (auto v = env("K9_DOCS_DIR")) c.docs_dir = v;
  if (auto v = env("K9_METRICS_PORT")) c.metrics_port = std::atoi(v);
  if (auto v = env("K9_METRICS_HOST")) c.metrics_host = v;
  if (auto v = env("K9_LOG_LEVEL")) c.log_level = v;
  if (auto v = env("K9_LOG_FORMAT")) c.log_format = v;
  if (auto v = env("K9_IO_THREADS")) c.io_threads = std::max(0, std::atoi(v));
  if (auto v = env("K9_LIST_CACHE")) c.list_cache = std::string(v) != "off";
  if (auto v = env("K9_TOKEN_LIFETIME_SECONDS")) c.token_lifetime_seconds = v;
  if (auto v = env("K9_MODEL_VERSION")) c.model_version = v, c.model_version_set = true;  // checked by vision::make_extractor
  return c;
}

std::string load_or_create_secret(const fs::path& data, const std::string& name) {
  fs::path path = data / name;
  if (fs::exists(path)) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().size() < 32) throw std::runtime_error(path.string() + " is too short to be a secret");
    return ss.str();
  }
  std::string secret = random_bytes(32);
  fs::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || ::write(fd, secret.data(), secret.size()) != static_cast<ssize_t>(secret.size()) || ::fsync(fd) != 0)
    throw std::runtime_error("cannot write " + tmp.string());
  ::close(fd);
  fs::rename(tmp, path);
  return secret;
}

std::string load_or_create_shared_secret(blobs::BlobStore& blobs, const std::string& name) {
  const std::string key = "k9-secrets/" + name;
  if (auto b = blobs.get(key); b && b->bytes.size() >= 32) return b->bytes;
  blobs.put(key, random_bytes(32), "application/octet-stream");
  // Two processes starting at once may both write: read back, so all use the one that stayed.
  auto b = blobs.get(key);
  if (!b || b->bytes.size() < 32) throw blobs::Unavailable("secret " + key + " did not persist");
  return b->bytes;
}

std::unique_ptr<store::Store> open_store(const Config& c, std::function<void(const std::string&)> on_change) {
  std::string url = c.store.empty() ? "sqlite:" + (c.data / "k9.db").string() : c.store;
  if (url.rfind("sqlite:", 0) == 0) {
    fs::path path = fs::absolute(url.substr(7));
    fs::create_directories(path.parent_path());  // as SQLite makes the file, its folder is made
    return std::make_unique<store::sqlite::SqliteStore>(path.string());
  }
  if (url == "dynamodb") {
    store::dynamodb::DynamoDbStoreOptions options;
    options.on_change = std::move(on_change);
    return store::dynamodb::open_from_environment(std::move(options));
  }
  throw Error(ErrorCode::bad_request, "unsupported --store " + url + " (sqlite:PATH or dynamodb)");
}

std::vector<store::TableSchema> all_table_schemas(const repo::Tables& tables) {
  auto schemas = tables.schemas();
  schemas.push_back(identity::local::CredentialRepository::schema(tables.identities));
  schemas.push_back(identity::local::RefreshTokenRepository::schema(tables.refresh_tokens));
  schemas.push_back(jobs::JobQueue::schema(tables.jobs));
  return schemas;
}

Runtime::Runtime(const Config& c) {
  fs::create_directories(c.data);
  fs::permissions(c.data, fs::perms::owner_all, fs::perm_options::replace);
  backend_store_ = open_store(c);
  store_ = std::make_unique<store::ObservedStore>(*backend_store_, tap_);
  tables_ = repo::Tables::from_env([](const char* n) { return std::getenv(n); });
  if (c.ensure_tables)
    for (auto& schema : all_table_schemas(tables_)) store_->ensure_table(schema);

  identity::TokenVerifier* verifier = nullptr;
  identity::Authenticator* authenticator = nullptr;
  std::function<std::string()> jwks;
  if (c.auth == "local") {
    keys_ = std::make_unique<identity::local::KeyStore>(c.data);
    identity::local::IssuerOptions issuer_options;
    if (!c.token_lifetime_seconds.empty()) {
      const std::string& v = c.token_lifetime_seconds;
      int seconds = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
      if (ec != std::errc() || end != v.data() + v.size() || seconds < 10 || seconds > 86400)
        throw Error(ErrorCode::bad_request, "K9_TOKEN_LIFETIME_SECONDS must be a whole number of seconds, 10 to 86400");
      issuer_options.token_lifetime_seconds = seconds;
    }
    issuer_ = std::make_unique<identity::local::LocalIssuer>(*keys_, issuer_options);
    credentials_ = std::make_unique<identity::local::CredentialRepository>(*store_, tables_.identities);
    issuer_->require_live_accounts(*credentials_);  // a deleted user's tokens stop within 5 s
    refresh_tokens_ = std::make_unique<identity::local::RefreshTokenRepository>(*store_, tables_.refresh_tokens);
    throttle_ = std::make_unique<identity::local::LoginThrottle>();
    identity::local::LocalAuthOptions auth_options;
    auth_options.rotate_refresh_tokens = c.rotate_refresh_tokens;
    authenticator_ = std::make_unique<identity::local::LocalAuthenticator>(*credentials_, *issuer_, *refresh_tokens_,
                                                                           *throttle_, auth_options);
    verifier = issuer_.get();
    authenticator = authenticator_.get();
    jwks = [this] { return keys_->jwks(); };
  } else if (c.auth == "cognito") {
    namespace cognito = identity::cognito;
    auto settings = cognito::CognitoSettings::from_env([](const char* n) { return std::getenv(n); });
    pool_keys_ = std::make_unique<cognito::JwksCache>(settings.jwks_url());
    cognito_verifier_ = std::make_unique<cognito::CognitoVerifier>(
        cognito::VerifierOptions{settings.issuer, settings.client_id}, *pool_keys_);
    cognito_api_ = std::make_unique<cognito::CognitoApi>(settings.endpoint);
    cognito_authenticator_ = std::make_unique<cognito::CognitoAuthenticator>(
        *cognito_api_, cognito::ClientOptions{settings.client_id, settings.client_secret});
    verifier = cognito_verifier_.get();
    authenticator = cognito_authenticator_.get();
  } else {
    throw Error(ErrorCode::bad_request, "unsupported --auth " + c.auth + " (local or cognito)");
  }
  auto blob_wiring = open_blobs(c);
  file_urls_ = std::move(blob_wiring.signer);
  backend_blobs_ = std::move(blob_wiring.store);
  blobs_ = std::make_unique<blobs::ObservedBlobStore>(*backend_blobs_, tap_);
  users_ = std::make_unique<repo::UserRepository>(*store_, tables_.users);
  // Cursors must verify on every server of a deployment: with one store many processes share
  // (DynamoDB: several servers, Lambda sandboxes), the key lives in the shared blob store.
  // That fetch runs beside the rest of start-up and the first requests; a request that signs or
  // reads a cursor waits for it (core/prefetched.h).
  if (store_->single_writer()) {
    reports_ = std::make_unique<repo::ReportRepository>(*store_, tables_,
                                                        repo::CursorCodec(load_or_create_secret(c.data, "cursor.key")));
  } else {
    cursor_key_ = std::make_shared<Prefetched<std::string>>(
        [blobs = blobs_.get()] { return load_or_create_shared_secret(*blobs, "cursor.key"); });
    reports_ = std::make_unique<repo::ReportRepository>(
        *store_, tables_, repo::CursorCodec(std::function<std::string()>([key = cursor_key_] { return key->get(); })));
  }
  // The embedded store has one writer, this process, so list pages can be cached safely.
  // K9_LIST_CACHE=off turns it off (benchmarks measure both).
  exclusive_store_ = store_->single_writer();
  const bool exclusive_store = exclusive_store_ && c.list_cache;
  uploads::UploadLimits limits;
  limits.max_bytes = c.max_upload_bytes;
  images_ = std::make_unique<uploads::ImageFiles>(*blobs_, limits);
  products_ = std::make_unique<repo::ProductRepository>(*store_, tables_);
  embeddings_ = std::make_unique<repo::EmbeddingRepository>(*store_, tables_);
  jobs_ = std::make_unique<jobs::JobQueue>(*store_, tables_.jobs);
  // AWS mode: the snapshot `k9 catalog import` published to S3 is fetched from there
  // (checked once a minute), so a server or Lambda needs nothing in its data folder.
  blobs::BlobStore* remote_snapshots = c.blobs.rfind("s3://", 0) == 0 ? blobs_.get() : nullptr;
  snapshots_ = std::make_unique<analysis::CatalogSnapshots>(c.data, std::chrono::seconds(1), remote_snapshots);
  auto choose = [data = c.data, remote_snapshots, embeddings = embeddings_.get(),
                 set = c.model_version_set ? std::optional(c.model_version) : std::nullopt] {
    auto choice = analysis::choose_model_version(set, [&](const std::string& v) {
      return analysis::catalog_has_version(data, remote_snapshots, *embeddings, v);
    });
    if (!choice.warning.empty()) spdlog::warn("{}", choice.warning);
    return choice.version;
  };
  if (c.choose_model_version && c.defer_model_choice && !c.model_version_set) {
    // Beside the rest of start-up and the first requests (core/prefetched.h); what needs the
    // version (a new report's stamp, an analysis) waits for it.
    model_choice_ = std::make_shared<Prefetched<std::string>>(choose);
    extractor_ = std::make_unique<vision::DeferredExtractor>([choice = model_choice_] { return choice->get(); });
    reports_->set_analysis_version([choice = model_choice_] { return choice->get(); });
  } else {
    extractor_ = vision::make_extractor(c.choose_model_version ? choose() : c.model_version);
    reports_->set_analysis_version(extractor_->model_version());
  }
  matrix_cache_ = std::make_unique<search::MatrixCache>(c.matrix_cache_bytes);
  matrices_ = std::make_unique<analysis::Matrices>(*blobs_, *matrix_cache_);
  analysis_ = std::make_unique<analysis::ReportAnalysis>(*reports_, *embeddings_, *images_, *extractor_, *snapshots_,
                                                         *matrices_);
  analysis_workers_ = c.analysis_workers;
  analysis_start_ = std::make_unique<api::AnalysisStart>(api::AnalysisStart{*analysis_, *jobs_, [this] {
    if (analysis_trigger_) analysis_trigger_();
    else if (workers_) workers_->wake();
  }});
  std::vector<std::unique_ptr<api::RouteGroup>> groups;
  // /readyz: the store, the file store (a HEAD of a key that need not exist: an answer either
  // way) and, in local mode, the signing keys.
  std::vector<api::Readiness::Check> ready{{"store", [this] { return store_->healthy(); }},
                                           {"blobs", [this] {
                                             (void)blobs_->head("k9-readyz-probe");  // throws when unusable
                                             return true;
                                           }}};
  if (keys_) ready.push_back({"keys", [this] { return keys_->jwks().find("\"kid\"") != std::string::npos; }});
  groups.push_back(std::make_unique<api::HealthRoutes>(std::move(ready), jwks));
  groups.push_back(std::make_unique<api::AuthRoutes>(*authenticator));
  groups.push_back(std::make_unique<api::ProfileRoutes>(*users_, images_.get()));
  groups.push_back(std::make_unique<api::ReportRoutes>(*reports_, images_.get(), analysis_start_.get(), exclusive_store));
  groups.push_back(std::make_unique<api::ResultRoutes>(*reports_, *analysis_, *products_, images_.get()));
  groups.push_back(std::make_unique<api::FileRoutes>(*images_, *users_, file_urls_.get()));
  groups.push_back(std::make_unique<api::EmbeddingRoutes>(*analysis_, *products_, *embeddings_, *images_));
  groups.push_back(std::make_unique<api::WebAppRoutes>(*reports_, *products_, *images_, *analysis_start_));
  api::DocsOptions docs;
  docs.info.server_url = c.base_path.empty() ? "/" : c.base_path;
  docs.folder = c.docs_dir.empty() ? api::installed_docs_folder() : fs::path(c.docs_dir);
  groups.push_back(std::make_unique<api::DocsRoutes>(std::move(docs)));
  api::AppOptions app_options;
  app_options.max_body_bytes = c.max_body_bytes;
  app_options.store_reads_local = store_->reads_are_local();
  app_options.verifier_may_block = verifier->may_block();
  if (!c.web_dir.empty()) {
    if (!fs::is_directory(c.web_dir)) throw Error(ErrorCode::bad_request, "--web " + c.web_dir + " is not a folder");
    web_ = std::make_unique<api::StaticSite>(c.web_dir);
    app_options.fallback = [site = web_.get()](const api::Request& r) { return site->serve(r); };
  }
  app_ = std::make_unique<api::App>(*verifier, app_options, std::move(groups));
}

void Runtime::start_workers() {
  if (workers_ || analysis_workers_ == 0) return;  // 0: this server queues analyses, others run them
  // No snapshot file yet (a new data folder, or DynamoDB's catalog): fetch it from the blob
  // store (AWS mode), else build it from the store.
  if (!std::filesystem::exists(snapshots_->path(extractor_->model_version()))) snapshots_->current(extractor_->model_version());
  if (!std::filesystem::exists(snapshots_->path(extractor_->model_version()))) {
    try {
      snapshots_->ensure(*products_, *embeddings_, extractor_->model_version());
    } catch (const std::exception& e) {
      spdlog::warn("catalog snapshot not built: {}", e.what());
    }
  }
  if (exclusive_store_) {
    size_t n = jobs_->release_leases(analysis::kQueue);
    if (n) spdlog::info("{} analysis job(s) cut short by the last stop are taken up again", n);
  }
  jobs::WorkerOptions o;
  o.threads = analysis_workers_;
  workers_ = std::make_unique<jobs::WorkerPool>(
      *jobs_, analysis::kQueue,
      [this](const jobs::Job& j) {
        if (!analysis_observer_) return analysis_->run(j);
        auto started = std::chrono::steady_clock::now();
        try {
          analysis_->run(j);
        } catch (...) {
          analysis_observer_(std::chrono::steady_clock::now() - started, false);
          throw;
        }
        analysis_observer_(std::chrono::steady_clock::now() - started, true);
      },
      [this](const jobs::Job& j, const std::string& message) { analysis_->fail(j, message); }, o);
  workers_->start();
}

size_t Runtime::run_due_analyses(std::chrono::system_clock::time_point deadline) {
  if (!inline_runner_) {
    inline_runner_ = std::make_unique<jobs::WorkerPool>(
        *jobs_, analysis::kQueue, [this](const jobs::Job& j) { analysis_->run(j); },
        [this](const jobs::Job& j, const std::string& message) { analysis_->fail(j, message); }, jobs::WorkerOptions{});
  }
  size_t ran = 0;
  while (std::chrono::system_clock::now() < deadline && inline_runner_->run_one()) ++ran;
  return ran;
}

void Runtime::stop_workers() {
  if (workers_) workers_->stop();
}

Runtime::~Runtime() { stop_workers(); }

}  // namespace k9::cli
