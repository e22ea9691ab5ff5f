// The test kit's API wiring: the route groups a test asks for, over the services it made, in
// one App (as cli/runtime.cc wires them for k9 serve). A service left null leaves its group
// out (tests of other concerns).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "analysis/report_analysis.h"
#include "api/app.h"
#include "api/webapp_routes.h"
#include "blobs/signed_url.h"
#include "identity/identity.h"
#include "jobs/job_queue.h"
#include "repo/embedding_repository.h"
#include "repo/product_repository.h"
#include "repo/report_repository.h"
#include "repo/user_repository.h"
#include "store/store.h"
#include "uploads/image_files.h"

namespace k9::testkit {

struct ApiServices {
  store::Store& store;
  repo::UserRepository& users;
  repo::ReportRepository& reports;
  identity::TokenVerifier& verifier;
  identity::Authenticator* authenticator = nullptr;  // null: no /auth routes
  std::function<std::string()> jwks = {};             // empty: no JWKS route
  bool cache_report_lists = false;
  uploads::ImageFiles* images = nullptr;              // null: no file routes, urls as sent
  const blobs::FileUrlSigner* file_urls = nullptr;    // null: no /files route
  analysis::ReportAnalysis* analysis = nullptr;       // with jobs and products: results routes
  jobs::JobQueue* jobs = nullptr;
  repo::ProductRepository* products = nullptr;
  repo::EmbeddingRepository* embeddings = nullptr;    // with the above and images: /embeddings
  std::function<void()> analysis_queued = {};
  // With analysis, jobs, products and images: the published web app's routes
  // (api/webapp_routes.h), waiting for analyses as these options say.
  api::WebAppOptions webapp = {};
};

std::unique_ptr<api::App> make_app(const ApiServices& s, api::AppOptions options = {});

// One request handed to `handler` in process, as a front door would: `token` (when not empty)
// as the bearer token, `query` already decoded, `content_type` (when not empty) as its header.
api::Response call(api::Handler& handler, const std::string& method, const std::string& path,
                   const std::string& body = "", const std::string& token = "",
                   std::map<std::string, std::string> query = {}, const std::string& content_type = "");

}  // namespace k9::testkit
