// The API's own description: GET /openapi.json (the OpenAPI 3.1 document of every route in the
// table, api/openapi.h, made once, by the first request for it: a Lambda cold start does not
// pay 1-2 ms for a document most sandboxes never serve; openapi_test builds it for every route) and GET /docs, a page that renders it
// in a browser from files installed beside the binary (web/api-docs: Swagger UI from npm, copied
// into <build>/api-docs at build time; nothing is fetched from elsewhere at run time). No token.
#pragma once
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "api/openapi.h"
#include "api/route.h"
#include "api/static_site.h"

namespace k9::api {

struct DocsOptions {
  OpenApiInfo info;
  // The page's files (index.html, swagger-ui-bundle.js, swagger-ui.css); empty or absent:
  // GET /docs answers 404 saying how to install them.
  std::filesystem::path folder;
};

class DocsRoutes final : public RouteGroup {
 public:
  explicit DocsRoutes(DocsOptions options);
  std::vector<Route> routes() override;
  void attached(const Router& router) override;

  // The document (made on the first call; thread-safe). Throws std::logic_error for a route
  // whose doc is incomplete (api/openapi.h).
  const std::string& document() const;

 private:
  Response page(const std::string& file) const;

  DocsOptions options_;
  std::unique_ptr<StaticSite> site_;
  const Router* router_ = nullptr;
  mutable std::once_flag made_;
  mutable std::string document_;
};

// The page's folder beside the binary (<dir of /proc/self/exe>/api-docs), or "" when absent.
std::filesystem::path installed_docs_folder();

}  // namespace k9::api
