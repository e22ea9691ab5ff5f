#include "testing/api_app.h"

#include "api/auth_routes.h"
#include "api/docs_routes.h"
#include "api/embedding_routes.h"
#include "api/file_routes.h"
#include "api/health_routes.h"
#include "api/profile_routes.h"
#include "api/report_routes.h"
#include "api/result_routes.h"
#include "api/webapp_routes.h"

namespace k9::testkit {

std::unique_ptr<api::App> make_app(const ApiServices& s, api::AppOptions options) {
  std::vector<std::unique_ptr<api::RouteGroup>> groups;
  groups.push_back(std::make_unique<api::HealthRoutes>(
      std::vector<api::Readiness::Check>{{"store", [&store = s.store] { return store.healthy(); }}}, s.jwks));
  if (s.authenticator) groups.push_back(std::make_unique<api::AuthRoutes>(*s.authenticator));
  groups.push_back(std::make_unique<api::ProfileRoutes>(s.users, s.images));
  std::optional<api::AnalysisStart> start;
  if (s.analysis && s.jobs) start.emplace(api::AnalysisStart{*s.analysis, *s.jobs, s.analysis_queued});
  groups.push_back(std::make_unique<api::ReportRoutes>(s.reports, s.images, start ? &*start : nullptr,
                                                       s.cache_report_lists));
  if (s.analysis && s.products)
    groups.push_back(std::make_unique<api::ResultRoutes>(s.reports, *s.analysis, *s.products, s.images));
  if (s.images) groups.push_back(std::make_unique<api::FileRoutes>(*s.images, s.users, s.file_urls));
  if (s.analysis && s.products && s.embeddings && s.images)
    groups.push_back(std::make_unique<api::EmbeddingRoutes>(*s.analysis, *s.products, *s.embeddings, *s.images));
  if (start && s.products && s.images)
    groups.push_back(std::make_unique<api::WebAppRoutes>(s.reports, *s.products, *s.images, *start, s.webapp));
  groups.push_back(std::make_unique<api::DocsRoutes>(api::DocsOptions{}));
  options.store_reads_local = s.store.reads_are_local();
  options.verifier_may_block = s.verifier.may_block();
  return std::make_unique<api::App>(s.verifier, options, std::move(groups));
}

api::Response call(api::Handler& handler, const std::string& method, const std::string& path,
                   const std::string& body, const std::string& token, std::map<std::string, std::string> query,
                   const std::string& content_type) {
  api::Request r;
  r.method = method;
  r.path = path;
  r.body = body;
  r.query = std::move(query);
  if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
  if (!content_type.empty()) r.headers["content-type"] = content_type;
  return handler.handle(r);
}

}  // namespace k9::testkit
