// The test kit's embedded wiring: every service `k9 serve` builds in embedded mode (local
// identities, files in a folder, analysis run by the caller), in a fresh folder of its own and
// on the store a test gives (SQLite in that folder by default), as protected members of a base
// a fixture derives from. The fixture picks the route groups it wants from them
// (testkit::make_app) and adds what it tests: a catalog, workers, a gate. The folder is the
// first member, so it is removed after every service that keeps files open in it.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "analysis/catalog_snapshots.h"
#include "analysis/matrices.h"
#include "analysis/report_analysis.h"
#include "blobs/fs/fs_blob_store.h"
#include "blobs/signed_url.h"
#include "identity/local/credential_repository.h"
#include "identity/local/key_store.h"
#include "identity/local/local_authenticator.h"
#include "identity/local/local_issuer.h"
#include "identity/local/login_throttle.h"
#include "identity/local/refresh_token_repository.h"
#include "jobs/job_queue.h"
#include "repo/embedding_repository.h"
#include "repo/product_repository.h"
#include "repo/report_repository.h"
#include "repo/tables.h"
#include "repo/user_repository.h"
#include "search/matrix_cache.h"
#include "store/store.h"
#include "testing/api_app.h"
#include "testing/base/temp_dir.h"
#include "uploads/image_files.h"
#include "vision/classic_extractor.h"

namespace k9::testkit {

struct EmbeddedOptions {
  std::string environment;                // table-name environment; empty: the default names
  identity::local::ThrottleLimits throttle = {};
  std::string public_url = "http://127.0.0.1:1";  // where signed file links point
  uploads::UploadLimits upload_limits = {};
  size_t matrix_cache_bytes = 16u << 20;
};

class EmbeddedApi {
 protected:
  explicit EmbeddedApi(std::string_view label) : dir_(label) {}

  // Wires every service on `store` (its tables made; null: SQLite in the folder), keys and
  // files in the folder.
  void wire(std::shared_ptr<store::Store> store = nullptr, const EmbeddedOptions& options = {});
  // Every service, as k9 serve hands them to its route groups.
  ApiServices all_services() const;
  // Only the services of the core routes: health, auth, profile, reports without analysis.
  ApiServices core_services(bool cache_report_lists) const;

  TempDir dir_;
  std::shared_ptr<store::Store> store_;
  repo::Tables tables_;
  std::unique_ptr<identity::local::KeyStore> keys_;
  std::unique_ptr<identity::local::LocalIssuer> issuer_;
  std::unique_ptr<identity::local::CredentialRepository> creds_;
  std::unique_ptr<identity::local::RefreshTokenRepository> refresh_;
  std::unique_ptr<identity::local::LoginThrottle> throttle_;
  std::unique_ptr<identity::local::LocalAuthenticator> auth_;
  std::unique_ptr<repo::UserRepository> users_;
  std::unique_ptr<repo::ReportRepository> reports_;
  std::shared_ptr<blobs::FileUrlSigner> signer_;
  std::unique_ptr<blobs::fs::FsBlobStore> blobs_;
  std::unique_ptr<uploads::ImageFiles> images_;
  std::unique_ptr<repo::ProductRepository> products_;
  std::unique_ptr<repo::EmbeddingRepository> embeddings_;
  std::unique_ptr<jobs::JobQueue> jobs_;
  vision::ClassicExtractor extractor_;
  std::unique_ptr<analysis::CatalogSnapshots> snapshots_;
  std::unique_ptr<search::MatrixCache> matrix_cache_;
  std::unique_ptr<analysis::Matrices> matrices_;
  std::unique_ptr<analysis::ReportAnalysis> analysis_;
};

}  // namespace k9::testkit
