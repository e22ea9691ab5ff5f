#include "api/openapi.h"

#include <map>
#include <set>
#include <stdexcept>

#include "core/error.h"

namespace k9::api {

namespace json = boost::json;

// ---- the schema vocabulary (api/api_doc.h) ----

Schema literal(json::value schema) {
  return [schema = std::move(schema)](SchemaRegistry&) { return schema; };
}

namespace {
Schema typed(const char* type, std::string description) {
  json::object s{{"type", type}};
  if (!description.empty()) s["description"] = description;
  return literal(std::move(s));
}
}  // namespace

Schema string_schema(std::string description) { return typed("string", std::move(description)); }
Schema integer_schema(std::string description) { return typed("integer", std::move(description)); }
Schema number_schema(std::string description) { return typed("number", std::move(description)); }
Schema boolean_schema(std::string description) { return typed("boolean", std::move(description)); }

Schema nullable(Schema s) {
  return [s = std::move(s)](SchemaRegistry& r) {
    return json::value(json::object{{"anyOf", json::array{s(r), json::object{{"type", "null"}}}}});
  };
}

Schema array_of(Schema items) {
  return [items = std::move(items)](SchemaRegistry& r) {
    return json::value(json::object{{"type", "array"}, {"items", items(r)}});
  };
}

Schema any_of(std::vector<Schema> options) {
  return [options = std::move(options)](SchemaRegistry& r) {
    json::array a;
    for (auto& o : options) a.push_back(o(r));
    return json::value(json::object{{"anyOf", std::move(a)}});
  };
}

Schema named(std::string name, Schema s) {
  return [name = std::move(name), s = std::move(s)](SchemaRegistry& r) {
    if (r.has(name)) return SchemaRegistry::ref(name);
    return r.component(name, s(r));
  };
}

Field optional_field(std::string name, Schema schema) { return Field{std::move(name), std::move(schema), false}; }

namespace {
void add_fields(SchemaRegistry& r, const std::vector<Field>& fields, json::object& properties, json::array& required) {
  for (auto& f : fields) {
    properties[f.name] = f.schema(r);
    if (f.required) required.push_back(json::string(f.name));
  }
}
}  // namespace

Schema object_schema(std::vector<Field> fields, bool closed) {
  return [fields = std::move(fields), closed](SchemaRegistry& r) {
    json::object properties;
    json::array required;
    add_fields(r, fields, properties, required);
    json::object s{{"type", "object"}, {"properties", std::move(properties)}};
    if (!required.empty()) s["required"] = std::move(required);
    if (closed) s["additionalProperties"] = false;
    return json::value(std::move(s));
  };
}

Schema extended(Schema base, std::vector<Field> fields) {
  return [base = std::move(base), fields = std::move(fields)](SchemaRegistry& r) {
    json::object properties;
    json::array required;
    add_fields(r, fields, properties, required);
    json::object more{{"type", "object"}, {"properties", std::move(properties)}};
    if (!required.empty()) more["required"] = std::move(required);
    return json::value(json::object{{"allOf", json::array{base(r), std::move(more)}}});
  };
}

namespace schemas {

Schema error() {
  return named("Error", [](SchemaRegistry&) {
    json::array codes;
    for (int c = 0; c <= static_cast<int>(ErrorCode::internal); ++c)
      codes.push_back(json::string(error_code_name(static_cast<ErrorCode>(c))));
    return json::value(json::object{
        {"type", "object"},
        {"description", "Every failure's body (SPEC section 3): what went wrong, a stable code, the field at fault "
                        "for bad input, and the request's id (as the X-Request-Id header) to quote in a report."},
        {"properties",
         json::object{{"message", json::object{{"type", "string"}}},
                      {"code", json::object{{"type", "string"}, {"enum", std::move(codes)}}},
                      {"field", json::object{{"type", "string"}, {"description", "the request field at fault"}}},
                      {"requestId", json::object{{"type", "string"}}}}},
        {"required", json::array{"message", "code"}}});
  });
}

Schema success() {
  return named("Success", object_schema({{"success", literal(json::object{{"const", true}})}}));
}

Schema product_scores() {
  auto score = nullable(number_schema());
  auto group = [&](std::vector<std::string> names) {
    std::vector<Field> f;
    for (auto& n : names) f.push_back({n, score});
    return object_schema(std::move(f));
  };
  return named("Scores", object_schema({{"type", group({"type", "material"})},
                                        {"shape", group({"length", "width", "thickness"})},
                                        {"color", group({"primary", "secondary", "tertiary"})},
                                        {"pattern", group({"primary", "secondary", "tertiary"})},
                                        {"match", score}}));
}

Schema index_analysis() {
  auto component = named("AnalysisComponent",
                         object_schema({{"vector", literal(json::object{{"type", "array"},
                                                                        {"items", json::object{{"type", "number"}}},
                                                                        {"maxItems", 2}})},
                                        {"similarity", nullable(number_schema())}}));
  auto three = object_schema({{"primary", component}, {"secondary", component}, {"tertiary", component}});
  return named("IndexAnalysis", object_schema({{"color", three},
                                               {"pattern", three},
                                               {"similarity", nullable(number_schema("the match score, 0..1"))}}));
}

Schema image_bytes() {
  return literal(json::object{{"type", "string"}, {"contentMediaType", "application/octet-stream"},
                              {"description", "JPEG, PNG or WebP bytes, sniffed (the Content-Type is not trusted)"}});
}

}  // namespace schemas

// ---- the document ----

std::string openapi_path(std::string_view pattern) {
  std::string out(pattern);
  for (size_t at; (at = out.find("+}")) != std::string::npos;) out.erase(at, 1);
  return out;
}

std::vector<std::string> path_parameters(std::string_view pattern) {
  std::vector<std::string> out;
  for (size_t i = 0; (i = pattern.find('{', i)) != std::string_view::npos;) {
    size_t j = pattern.find('}', i);
    std::string name(pattern.substr(i + 1, j - i - 1));
    if (name.ends_with('+')) name.pop_back();
    out.push_back(std::move(name));
    i = j;
  }
  return out;
}

namespace {

const std::map<std::string, std::string>& known_parameters() {
  static const std::map<std::string, std::string> m{
      {"id", "A report id (as answered by POST /reports)"},
      {"productId", "A catalog product id"},
      {"name", "A file name: 1..100 of [A-Za-z0-9._-]"},
      {"key", "A stored file's key (it may hold '/'), from a signed link"},
      {"job", "The web app's job id: a report id"},
      {"file", "An album file name of the job (img0.jpg)"},
  };
  return m;
}

const std::map<std::string, std::string>& tag_descriptions() {
  static const std::map<std::string, std::string> m{
      {"auth", "Sign-in: tokens for a username and password, refreshed, or a new password set."},
      {"docs", "This document and a page that renders it."},
      {"embeddings", "The seed's embedding routes: a product's visual embedding, its similarity to the catalog."},
      {"files", "Uploads, the avatar and K9-signed file links."},
      {"health", "Liveness, readiness and the token verification keys."},
      {"profile", "The signed-in user."},
      {"reports", "A user's reports on a reference material; their analysis runs in the background."},
      {"results", "A report's results once its analysis is ready: search, one product, favorites, export."},
      {"webapp", "The published web app's routes (docs/WEBAPP.md), onto the same reports and results."},
  };
  return m;
}

std::string tag_of(const Route& r) {
  std::string t = r.name.substr(0, r.name.find('.'));
  if (t == "jwks") return "health";
  return t;
}

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 303: return "See Other";
    case 400: return "Bad input: the message names the field at fault";
    case 401: return "Missing, malformed, expired or revoked token; or wrong credentials";
    case 403: return "Forbidden";
    case 404: return "Absent, or not the caller's";
    case 409: return "Conflict: the state does not allow it (yet)";
    case 410: return "Gone";
    case 413: return "Too large";
    case 415: return "Unsupported media type";
    case 429: return "Too many attempts: wait for Retry-After";
    case 431: return "Request headers too large";
    case 503: return "A backend cannot answer now: retry after Retry-After seconds";
  }
  return "Answer";
}

json::object request_id_headers() {
  return json::object{{"X-Request-Id", json::object{{"$ref", "#/components/headers/RequestId"}}}};
}

json::object error_answer(SchemaRegistry& reg, int status, const std::string& description) {
  json::object headers = request_id_headers();
  if (status == 503 || status == 429 || status == 409)
    headers["Retry-After"] = json::object{{"$ref", "#/components/headers/RetryAfter"}};
  return json::object{{"description", description.empty() ? reason(status) : description},
                      {"headers", std::move(headers)},
                      {"content", json::object{{"application/json", json::object{{"schema", schemas::error()(reg)}}}}}};
}

json::object operation(SchemaRegistry& reg, const Route& route) {
  const RouteDoc& doc = route.doc;
  if (doc.summary.empty()) throw std::logic_error(route.method + " " + route.pattern + " has no summary in its doc");
  json::object op{{"operationId", route.name}, {"summary", doc.summary}, {"tags", json::array{json::string(tag_of(route))}}};
  if (!doc.description.empty()) op["description"] = doc.description;
  if (route.access == Access::open) op["security"] = json::array{};

  json::array parameters;
  auto params = path_parameters(route.pattern);
  for (auto& p : params) {
    std::string description;
    if (auto it = doc.params.find(p); it != doc.params.end()) description = it->second;
    else if (auto k = known_parameters().find(p); k != known_parameters().end()) description = k->second;
    else throw std::logic_error(route.pattern + ": path parameter " + p + " is not described");
    json::object param{{"name", p}, {"in", "path"}, {"required", true}, {"description", description},
                       {"schema", json::object{{"type", "string"}}}};
    if (auto e = doc.example.params.find(p); e != doc.example.params.end()) param["example"] = e->second;
    parameters.push_back(std::move(param));
  }
  for (auto& q : doc.query) {
    json::object param{{"name", q.name}, {"in", "query"}, {"required", false}, {"description", q.description},
                       {"schema", q.schema ? q.schema(reg) : json::value(json::object{{"type", "string"}})}};
    if (!q.example.is_null()) param["example"] = q.example;
    parameters.push_back(std::move(param));
  }
  if (!parameters.empty()) op["parameters"] = std::move(parameters);

  if (route.media == Media::json) {
    if (!doc.request) throw std::logic_error(route.method + " " + route.pattern + " takes JSON but its doc has no schema");
    json::object media{{"schema", doc.request(reg)}};
    if (!doc.example.body.is_null()) media["example"] = doc.example.body;
    op["requestBody"] = json::object{{"required", true},
                                     {"content", json::object{{"application/json", std::move(media)}}}};
  } else if (route.media == Media::bytes) {
    json::object content;
    for (const char* type : {"image/jpeg", "image/png", "image/webp"})
      content[type] = json::object{{"schema", json::object{{"type", "string"}, {"contentMediaType", type}}}};
    op["requestBody"] = json::object{
        {"required", true},
        {"description", "The image's bytes (at most " + std::to_string(route.max_body_bytes) +
                            " bytes): the type is sniffed from them, whatever the Content-Type says"},
        {"content", std::move(content)}};
  }

  json::object responses;
  bool has_success = false;
  for (auto& r : doc.responses) {
    std::string key = std::to_string(r.status);
    if (r.status >= 400) {
      responses[key] = error_answer(reg, r.status, r.description);
      continue;
    }
    has_success = true;
    json::object answer{{"description", r.description.empty() ? reason(r.status) : r.description},
                        {"headers", request_id_headers()}};
    if (r.schema || r.media != "application/json") {
      json::value schema = r.schema ? r.schema(reg)
                                    : json::value(json::object{{"type", "string"}, {"contentMediaType", r.media}});
      answer["content"] = json::object{{r.media, json::object{{"schema", std::move(schema)}}}};
    }
    responses[key] = std::move(answer);
  }
  if (!has_success) throw std::logic_error(route.method + " " + route.pattern + " documents no successful answer");
  auto add_error = [&](int status) {
    std::string key = std::to_string(status);
    if (!responses.contains(key)) responses[key] = error_answer(reg, status, "");
  };
  const bool body = route.media != Media::none;
  if (body || !params.empty() || !doc.query.empty()) add_error(400);
  if (route.access == Access::bearer) add_error(401);
  if (!params.empty()) add_error(404);
  if (body) add_error(413);
  if (body) add_error(415);
  if (route.blocking != Blocking::never) add_error(503);
  responses["431"] = error_answer(reg, 431, "Request headers over 16 KiB (the front door's limit)");
  responses["default"] = error_answer(reg, 500, "Unexpected error (a bug): the body says no more than that");
  op["responses"] = std::move(responses);

  // The status the example request answers (tests/test_openapi.py sends it to a real server).
  op["x-example-status"] = doc.example.status;
  return op;
}

}  // namespace

boost::json::object openapi_document(const std::vector<Route>& routes, const OpenApiInfo& info) {
  SchemaRegistry reg;
  json::object paths;
  std::set<std::string> tags;
  for (auto& route : routes) {
    std::string path = openapi_path(route.pattern);
    std::string method = route.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto& item = paths[path];
    if (item.is_null()) item = json::object{};
    item.as_object()[method] = operation(reg, route);
    tags.insert(tag_of(route));
  }
  schemas::error()(reg);
  json::array tag_list;
  for (auto& t : tags) {
    auto it = tag_descriptions().find(t);
    tag_list.push_back(json::object{{"name", t}, {"description", it != tag_descriptions().end() ? it->second : t}});
  }
  json::object components{
      {"schemas", reg.components()},
      {"securitySchemes",
       json::object{{"bearerAuth", json::object{{"type", "http"},
                                                {"scheme", "bearer"},
                                                {"bearerFormat", "JWT"},
                                                {"description", "The idToken of POST /auth/login (or of Cognito in "
                                                                "AWS mode), as Authorization: Bearer <token>"}}}}},
      {"headers",
       json::object{{"RequestId", json::object{{"description", "The request's id: the X-Request-Id sent (1..128 of "
                                                               "[A-Za-z0-9._-]) or one made; the access log names it"},
                                               {"schema", json::object{{"type", "string"}}}}},
                    {"RetryAfter", json::object{{"description", "Seconds to wait before trying again"},
                                                {"schema", json::object{{"type", "integer"}}}}}}}};
  return json::object{
      {"openapi", "3.1.0"},
      {"info", json::object{{"title", info.title},
                            {"version", info.version},
                            {"summary", "The backend of a visual material-matching app"},
                            {"description",
                             "Signed-in users open reports on a reference material; K9 analyses and scores a catalog "
                             "against it, and users search, compare, favorite and export. Made from K9's route table: "
                             "every route it serves is here, and nothing else. Every error answers the Error body."},
                            {"license", json::object{{"name", "Proprietary"}, {"identifier", "LicenseRef-Proprietary"}}}}},
      {"servers", json::array{json::object{{"url", info.server_url}, {"description", "this server"}}}},
      {"security", json::array{json::object{{"bearerAuth", json::array{}}}}},
      {"tags", std::move(tag_list)},
      {"paths", std::move(paths)},
      {"components", std::move(components)}};
}

}  // namespace k9::api
