#include "lambda/proxy_event.h"

#include <boost/json.hpp>
#include <boost/url/decode_view.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>

#include "api/cors.h"
#include "core/encoding.h"
#include "core/error.h"
#include "core/utf8.h"

namespace k9::lambda {

namespace json = boost::json;

namespace {

const json::object* object_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

std::string string_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

void add_header(api::Request& r, std::string_view name, std::string_view value) {
  auto [it, inserted] = r.headers.try_emplace(lower(name), value);
  if (!inserted) {
    it->second += ", ";
    it->second += value;
  }
}

// A percent-encoded path: decoded, refused when it holds a NUL or does not start with '/'.
std::string decoded_path(std::string_view raw) {
  if (raw.empty() || raw.front() != '/') throw bad_request("the event's path must start with '/'");
  auto pct = boost::urls::make_pct_string_view(raw);
  if (!pct) throw bad_request("the event's path has a malformed %-escape");
  std::string out;
  out.reserve(raw.size());
  for (char c : boost::urls::decode_view(*pct)) {
    if (c == '\0') throw bad_request("the event's path holds a NUL");
    out += c;
  }
  return out;
}

void strip_prefix(std::string& path, std::string_view prefix) {
  if (prefix.empty() || prefix == "/") return;
  if (path == prefix) {
    path = "/";
  } else if (path.size() > prefix.size() && path.starts_with(prefix) && path[prefix.size()] == '/') {
    path.erase(0, prefix.size());
  }
}

void set_body(api::Request& r, const json::object& event) {
  auto* body = event.if_contains("body");
  if (!body || body->is_null()) return;
  if (!body->is_string()) throw bad_request("the event's body must be a string");
  auto* b64 = event.if_contains("isBase64Encoded");
  if (b64 && b64->is_bool() && b64->as_bool()) {
    auto bytes = base64_decode(body->as_string());
    if (!bytes) throw bad_request("the event's body is not valid base64");
    r.body = std::move(*bytes);
  } else {
    r.body = body->as_string();
  }
}

void decode_v1(const json::object& e, api::Request& r) {
  r.method = string_at(e, "httpMethod");
  r.path = string_at(e, "path");  // API Gateway hands it decoded, without the stage
  if (r.path.empty() || r.path.front() != '/') throw bad_request("the event's path must start with '/'");
  if (r.path.find('\0') != std::string::npos) throw bad_request("the event's path holds a NUL");
  if (auto* mv = object_at(e, "multiValueHeaders")) {
    for (auto& [name, values] : *mv)
      if (values.is_array())
        for (auto& v : values.as_array())
          if (v.is_string()) add_header(r, name, v.as_string());
  } else if (auto* h = object_at(e, "headers")) {
    for (auto& [name, v] : *h)
      if (v.is_string()) add_header(r, name, v.as_string());
  }
  if (auto* mq = object_at(e, "multiValueQueryStringParameters")) {
    for (auto& [name, values] : *mq)
      if (values.is_array() && !values.as_array().empty() && values.as_array().back().is_string())
        r.query[std::string(name)] = std::string(values.as_array().back().as_string());
  } else if (auto* q = object_at(e, "queryStringParameters")) {
    for (auto& [name, v] : *q)
      if (v.is_string()) r.query[std::string(name)] = std::string(v.as_string());
  }
  if (auto* ctx = object_at(e, "requestContext")) {
    r.request_id = string_at(*ctx, "requestId");
    if (auto* id = object_at(*ctx, "identity")) r.remote_address = string_at(*id, "sourceIp");
    strip_prefix(r.path, "/" + string_at(*ctx, "stage"));  // a custom domain may keep it
  }
}

void decode_v2(const json::object& e, api::Request& r) {
  auto* ctx = object_at(e, "requestContext");
  auto* http = ctx ? object_at(*ctx, "http") : nullptr;
  if (!http) throw bad_request("the event has no requestContext.http");
  r.method = string_at(*http, "method");
  r.remote_address = string_at(*http, "sourceIp");
  r.request_id = string_at(*ctx, "requestId");
  r.path = decoded_path(string_at(e, "rawPath"));
  std::string stage = string_at(*ctx, "stage");
  if (!stage.empty() && stage != "$default") strip_prefix(r.path, "/" + stage);
  if (auto* h = object_at(e, "headers"))
    for (auto& [name, v] : *h)
      if (v.is_string()) add_header(r, name, v.as_string());
  if (auto* cookies = e.if_contains("cookies"); cookies && cookies->is_array()) {
    std::string joined;
    for (auto& c : cookies->as_array())
      if (c.is_string()) joined += (joined.empty() ? "" : "; ") + std::string(c.as_string());
    if (!joined.empty()) r.headers["cookie"] = joined;
  }
  std::string raw_query = string_at(e, "rawQueryString");
  if (!raw_query.empty()) {
    auto q = boost::urls::parse_query(raw_query);
    if (!q) throw bad_request("the event's query string is malformed");
    boost::urls::encoding_opts form;  // as the HTTP server decodes: '+' is a space
    form.space_as_plus = true;
    for (auto p : *q) {
      std::string key = p.key.decode(form);
      std::string value = p.has_value ? p.value.decode(form) : std::string();
      if (key.find('\0') != std::string::npos || value.find('\0') != std::string::npos)
        throw bad_request("the event's query string holds a NUL");
      r.query[std::move(key)] = std::move(value);
    }
  }
}

bool textual(const api::Response& r) {
  std::string_view t = r.content_type;
  bool text_type = t.starts_with("application/json") || t.starts_with("text/") || t.find("+json") != t.npos ||
                   t.starts_with("application/xml");
  return text_type && valid_utf8(r.body);
}

}  // namespace

bool is_proxy_event(const json::object& e) {
  if (e.if_contains("httpMethod")) return true;  // payload 1.0
  auto* v = e.if_contains("version");
  return v && v->is_string() && v->as_string() == "2.0" && e.if_contains("routeKey");
}

ProxyRequest decode_proxy_event(const json::object& event, std::string_view base_path) {
  ProxyRequest out;
  out.version = event.if_contains("httpMethod") ? PayloadVersion::rest_v1 : PayloadVersion::http_v2;
  if (out.version == PayloadVersion::rest_v1)
    decode_v1(event, out.request);
  else
    decode_v2(event, out.request);
  auto& r = out.request;
  if (r.method.empty() || r.method.size() > 16) throw bad_request("the event has no HTTP method");
  for (char& c : r.method) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  strip_prefix(r.path, base_path);
  set_body(r, event);
  out.preflight = r.method == "OPTIONS";
  return out;
}

std::string encode_proxy_response(const api::Response& response, PayloadVersion version,
                                  const std::string& request_id, const std::string& cors_origin, bool preflight) {
  json::object headers;
  json::object multi;  // payload 1.0: repeated headers (Set-Cookie)
  if (!response.content_type.empty() && response.status != 204 && response.status != 304)
    headers["Content-Type"] = response.content_type;
  if (!request_id.empty()) headers["X-Request-Id"] = request_id;
  if (!cors_origin.empty()) {
    headers["Access-Control-Allow-Origin"] = cors_origin;
    if (preflight) {
      headers["Access-Control-Allow-Methods"] = api::cors::kAllowMethods;
      headers["Access-Control-Allow-Headers"] = api::cors::kAllowHeaders;
      headers["Access-Control-Max-Age"] = api::cors::kMaxAgeSeconds;
    }
  }
  json::array cookies;
  for (auto& [name, value] : response.headers) {
    std::string l = lower(name);
    if (l == "content-type" || l == "content-length" || l == "x-request-id" || l == "connection" ||
        l == "transfer-encoding" || (!cors_origin.empty() && l == "access-control-allow-origin"))
      continue;
    if (l == "set-cookie") {
      if (version == PayloadVersion::http_v2) cookies.emplace_back(value);
      else {
        auto& list = multi["Set-Cookie"];
        if (!list.is_array()) list.emplace_array();
        list.as_array().emplace_back(value);
      }
      continue;
    }
    headers[name] = value;
  }
  json::object out{{"statusCode", response.status}, {"headers", std::move(headers)}};
  if (!multi.empty()) out["multiValueHeaders"] = std::move(multi);
  if (!cookies.empty()) out["cookies"] = std::move(cookies);
  if (textual(response)) {
    out["body"] = response.body;
    out["isBase64Encoded"] = false;
  } else {
    out["body"] = base64_encode(response.body);
    out["isBase64Encoded"] = true;
  }
  return json::serialize(out);
}

}  // namespace k9::lambda
