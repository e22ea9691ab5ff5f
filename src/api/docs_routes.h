// The API's own description: GET /openapi.json (the OpenAPI 3.1 document of every route in the
// table, api/openapi.h, made once when the App is wired) and GET /docs, a page that renders it
// in a browser from files installed beside the binary (web/api-docs: Swagger UI from npm, copied
// into <build>/api-docs at build time; nothing is fetched from elsewhere at run time). No token.
#pragma once
#include <filesystem>
#include <memory>
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

  const std::string& document() const { return document_; }

 private:
  Response page(const std::string& file) const;

  DocsOptions options_;
  std::unique_ptr<StaticSite> site_;
  std::string document_;
};

// The page's folder beside the binary (<dir of /proc/self/exe>/api-docs), or "" when absent.
std::filesystem::path installed_docs_folder();

}  // namespace k9::api
