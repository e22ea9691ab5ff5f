#include "api/docs_routes.h"

#include <system_error>

#include "api/responses.h"
#include "api/router.h"
#include "core/json.h"

namespace k9::api {

namespace json = boost::json;

DocsRoutes::DocsRoutes(DocsOptions options) : options_(std::move(options)) {
  std::error_code ec;
  if (!options_.folder.empty() && std::filesystem::is_regular_file(options_.folder / "index.html", ec))
    site_ = std::make_unique<StaticSite>(options_.folder);
}

void DocsRoutes::attached(const Router& router) { router_ = &router; }

const std::string& DocsRoutes::document() const {
  std::call_once(made_, [this] {
    if (!router_) throw std::logic_error("DocsRoutes: document() before the App attached the routes");
    document_ = to_json_text(openapi_document(router_->routes(), options_.info));
  });
  return document_;
}

std::vector<Route> DocsRoutes::routes() {
  std::vector<Route> out;
  out.push_back({"GET", "/openapi.json", "docs.openapi", Access::open, Blocking::never, Media::none, 0,
                 [this](const Call&) {
                   Response r;
                   r.body = document();
                   r.headers.emplace_back("Cache-Control", "no-cache");
                   return r;
                 },
                 RouteDoc{.summary = "This document: OpenAPI 3.1 of every route K9 serves",
                          .responses = {{200, "The OpenAPI document",
                                         literal(json::object{{"type", "object"},
                                                              {"properties", json::object{{"openapi", json::object{{"type", "string"}}},
                                                                                          {"paths", json::object{{"type", "object"}}}}},
                                                              {"required", json::array{"openapi", "paths"}}})}}}});
  out.push_back({"GET", "/docs", "docs.page", Access::open, Blocking::always, Media::none, 0,
                 [this](const Call&) { return page("index.html"); },
                 RouteDoc{.summary = "A page that renders this document in a browser",
                          .description = "Served from the files installed beside the binary (--docs-dir); 404 "
                                         "when they are not installed.",
                          .responses = {{200, "An HTML page", {}, "text/html"},
                                        {404, "The page's files are not installed"}}}});
  out.push_back({"GET", "/docs/{file+}", "docs.asset", Access::open, Blocking::always, Media::none, 0,
                 [this](const Call& c) { return page(c.param("file")); },
                 RouteDoc{.summary = "A file of the documentation page (script, style sheet)",
                          .responses = {{200, "The file", {}, "application/octet-stream"}},
                          .params = {{"file", "A file of the page's folder"}},
                          .example = {.params = {{"file", "swagger-ui.css"}}}}});
  return out;
}

Response DocsRoutes::page(const std::string& file) const {
  if (!site_)
    return error_response(ErrorCode::not_found,
                          "The documentation page is not installed (scripts/install-deps.sh installs web/api-docs; "
                          "the build copies it beside k9; or --docs-dir). The document is at /openapi.json.");
  Request r;
  r.method = "GET";
  r.path = "/" + file;
  if (auto answer = site_->serve(r)) return std::move(*answer);
  return error_response(ErrorCode::not_found, "No such file of the documentation page");
}

std::filesystem::path installed_docs_folder() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  auto folder = exe.parent_path() / "api-docs";
  if (!std::filesystem::is_regular_file(folder / "index.html", ec)) return {};
  return folder;
}

}  // namespace k9::api
