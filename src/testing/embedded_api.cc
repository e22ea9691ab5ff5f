#include "testing/embedded_api.h"

#include <chrono>

#include "store/sqlite/sqlite_store.h"

namespace k9::testkit {

using namespace identity::local;

void EmbeddedApi::wire(std::shared_ptr<store::Store> store, const EmbeddedOptions& o) {
  const auto& dir = dir_.path();
  store_ = store ? std::move(store) : std::make_shared<store::sqlite::SqliteStore>((dir / "k9.db").string());
  tables_ = repo::Tables::from_env([&o](const char* n) -> const char* {
    return std::string(n) == "ENVIRONMENT" && !o.environment.empty() ? o.environment.c_str() : nullptr;
  });
  for (auto& s : tables_.schemas()) store_->ensure_table(s);
  store_->ensure_table(CredentialRepository::schema(tables_.identities));
  store_->ensure_table(RefreshTokenRepository::schema(tables_.refresh_tokens));
  store_->ensure_table(jobs::JobQueue::schema(tables_.jobs));
  keys_ = std::make_unique<KeyStore>(dir / "keys");
  issuer_ = std::make_unique<LocalIssuer>(*keys_);
  creds_ = std::make_unique<CredentialRepository>(*store_, tables_.identities, PasswordHashing::minimum());
  refresh_ = std::make_unique<RefreshTokenRepository>(*store_, tables_.refresh_tokens);
  throttle_ = std::make_unique<LoginThrottle>(o.throttle);
  auth_ = std::make_unique<LocalAuthenticator>(*creds_, *issuer_, *refresh_, *throttle_);
  users_ = std::make_unique<repo::UserRepository>(*store_, tables_.users);
  reports_ = std::make_unique<repo::ReportRepository>(*store_, tables_, repo::CursorCodec("testkit-cursor-secret-0123456789"));
  signer_ = std::make_shared<blobs::FileUrlSigner>("testkit-file-secret-0123456789-0123456789", o.public_url);
  blobs_ = std::make_unique<blobs::fs::FsBlobStore>(dir / "blobs", signer_);
  images_ = std::make_unique<uploads::ImageFiles>(*blobs_, o.upload_limits);
  products_ = std::make_unique<repo::ProductRepository>(*store_, tables_);
  embeddings_ = std::make_unique<repo::EmbeddingRepository>(*store_, tables_);
  jobs_ = std::make_unique<jobs::JobQueue>(*store_, tables_.jobs);
  snapshots_ = std::make_unique<analysis::CatalogSnapshots>(dir, std::chrono::milliseconds(0));
  matrix_cache_ = std::make_unique<search::MatrixCache>(o.matrix_cache_bytes);
  matrices_ = std::make_unique<analysis::Matrices>(*blobs_, *matrix_cache_);
  analysis_ = std::make_unique<analysis::ReportAnalysis>(*reports_, *embeddings_, *images_, extractor_, *snapshots_,
                                                         *matrices_, 1);
  reports_->set_analysis_version(extractor_.model_version());  // as cli::Runtime wires them
}

ApiServices EmbeddedApi::core_services(bool cache_report_lists) const {
  return ApiServices{*store_,     *users_,  *reports_, *issuer_, auth_.get(), [k = keys_.get()] { return k->jwks(); },
                     cache_report_lists};
}

ApiServices EmbeddedApi::all_services() const {
  ApiServices s = core_services(/*cache_report_lists=*/true);
  s.images = images_.get();
  s.file_urls = signer_.get();
  s.analysis = analysis_.get();
  s.jobs = jobs_.get();
  s.products = products_.get();
  s.embeddings = embeddings_.get();
  return s;
}

}  // namespace k9::testkit
