// The K9 API (SPEC section 3) as a transport-neutral Handler: request in, response out.
// Knows nothing of sockets, Lambda, SQLite or AWS; it drives the repositories and the
// identity port. Every error leaves as the JSON error body with its status.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "api/http_types.h"
#include "api/list_cache.h"
#include "analysis/report_analysis.h"
#include "api/router.h"
#include "blobs/signed_url.h"
#include "core/error.h"
#include "identity/identity.h"
#include "jobs/job_queue.h"
#include "repo/product_repository.h"
#include "repo/report_repository.h"
#include "repo/user_repository.h"
#include "uploads/image_files.h"

namespace k9::api {

struct AppServices {
  store::Store& store;  // for health checks
  repo::UserRepository& users;
  repo::ReportRepository& reports;
  identity::TokenVerifier& verifier;
  identity::Authenticator* authenticator = nullptr;  // nullptr: /auth/login answers 404
  std::function<std::string()> jwks;                  // empty: no JWKS route (Cognito mode)
  // Cache rendered GET /reports pages (list_cache.h): only when this process is the
  // store's one writer (embedded SQLite).
  bool cache_report_lists = false;
  // Files (uploads, avatars, report images). nullptr: the upload routes answer 404 and image
  // urls are stored as sent (tests of other concerns); k9 always wires it.
  uploads::ImageFiles* images = nullptr;
  // Embedded mode: GET /files/{key+} serves K9-signed links. nullptr: no such route (S3 mode).
  const blobs::FileUrlSigner* file_urls = nullptr;
  // Analysis and results (issue 7). Without them reports are created with no analysis job
  // and the result routes (search, products, favorites, export) answer 404.
  analysis::ReportAnalysis* analysis = nullptr;
  jobs::JobQueue* jobs = nullptr;
  repo::ProductRepository* products = nullptr;
  repo::EmbeddingRepository* embeddings = nullptr;  // the /embeddings routes
  std::function<void()> analysis_queued;  // after a report is created: wakes the workers
};

class App final : public Handler {
 public:
  explicit App(AppServices services);
  Response handle(const Request& request) override;
  // Reads (GET, HEAD) answer from the store without waiting on a commit; writes wait for
  // group commit, /auth/* hashes passwords, /files/* reads files and a report's results
  // (products, favorites, export, /embeddings/*) read matrices and files, so those block.
  bool may_block(const Request& request) const override;
  // The route table (tests enumerate it: every route must have an authorization matrix entry).
  const Router& router() const { return router_; }

 private:
  identity::Principal authenticate(const Request& request) const;
  void add_routes();
  void add_file_routes();    // app_files.cc
  void add_search_routes();  // app_search.cc
  void add_embedding_routes();  // app_embeddings.cc
  // The product a similarity request may score: the caller's own embedded product, or a
  // catalog product; 404 otherwise.
  Product similarity_reference(const identity::Principal& p, const std::string& product_id);
  // A report whose analysis is ready, its matrix, and the snapshot it was scored against
  // (nullptr when the catalog is empty or changed this very moment). 409 when not ready.
  struct Results {
    Report report;
    std::shared_ptr<const search::ScoreMatrix> matrix;
    std::shared_ptr<const analysis::LoadedSnapshot> snapshot;
  };
  Results results(const identity::Principal& p, const std::string& report_id);
  boost::json::object product_json(const Product& product);  // with browser urls
  // Stored image keys -> URLs a browser can fetch (unchanged without images).
  Report with_browser_urls(Report r);
  User with_browser_urls(User u);

  AppServices s_;
  Router router_;
  std::unique_ptr<ListCache> list_cache_;  // nullptr: lists always read from the store
};

// A JSON answer with `status`.
Response json_response(int status, const boost::json::value& v);
// The JSON error body {"message", "code"} with the status of `code`.
Response error_response(ErrorCode code, const std::string& message, int retry_after = 0);
int http_status(ErrorCode code);

}  // namespace k9::api
