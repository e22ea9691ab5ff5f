// The API document: OpenAPI 3.1, made from the route table (api/route.h: each route's method,
// pattern, name, access, media and body limit, and its RouteDoc, api/api_doc.h) and from the
// described request and response structs (core/json_schema.h). One source of truth: a route
// is in the document because it is in the table, with the operationId of its name (the name
// logs and metrics use). Served at GET /openapi.json (api/docs_routes.h).
#pragma once
#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/route.h"

namespace k9::api {

struct OpenApiInfo {
  std::string title = "K9 API";
  std::string version = "1.0.0";
  std::string server_url = "/";  // the base path (an API Gateway stage), or "/"
};

boost::json::object openapi_document(const std::vector<Route>& routes, const OpenApiInfo& info = {});

// A route pattern as an OpenAPI path: "/uploads/{name+}" -> "/uploads/{name}".
std::string openapi_path(std::string_view pattern);
// The path parameters of a pattern, in order ("id", "productId").
std::vector<std::string> path_parameters(std::string_view pattern);

// The shared answer and error schemas the route groups name in their docs.
namespace schemas {
Schema error();             // the error body every failure answers
Schema success();           // {"success": true}
Schema product_scores();    // a product's scores against the reference, 0..1 or null
Schema index_analysis();    // ProductIndex.analysis: colour and pattern vectors and similarities
Schema image_bytes();       // JPEG, PNG or WebP bytes
}  // namespace schemas

}  // namespace k9::api
