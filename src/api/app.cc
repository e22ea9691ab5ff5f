#include "api/app.h"

#include "core/request_context.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <set>
#include <stdexcept>

namespace k9::api {

App::App(identity::TokenVerifier& verifier, AppOptions options, std::vector<std::unique_ptr<RouteGroup>> groups)
    : verifier_(verifier), options_(options), groups_(std::move(groups)) {
  std::set<std::string> names;
  for (auto& group : groups_) {
    for (auto& route : group->routes()) {
      std::string what = route.method + " " + route.pattern;
      if (route.blocking == Blocking::undeclared) throw std::logic_error(what + " does not declare whether it blocks");
      if (route.name.empty() || !names.insert(route.name).second)
        throw std::logic_error(what + " needs a name of its own (logs and metrics), not '" + route.name + "'");
      if (!route.handler) throw std::logic_error(what + " has no handler");
      router_.add(std::move(route));
    }
  }
  for (auto& group : groups_) group->attached(router_);
}

bool App::blocks(const Route& route) const {
  if (route.access == Access::bearer && options_.verifier_may_block) return true;
  switch (route.blocking) {
    case Blocking::never: return false;
    case Blocking::reads: return !options_.store_reads_local;
    case Blocking::always:
    case Blocking::undeclared: return true;
  }
  return true;
}

Admission App::admit(std::string_view method, std::string_view path) const noexcept {
  Admission a{options_.max_body_bytes, false};
  try {
    bool path_found = false;
    if (const Route* route = router_.find(method, path, &path_found)) {
      if (route->max_body_bytes) a.max_body_bytes = route->max_body_bytes;
      a.blocks = blocks(*route);
      a.route = route->name;
    } else if (!path_found && options_.fallback) {
      a.blocks = true;  // reads a file
    }
  } catch (...) {  // out of memory matching a path: let handle() run it off the io thread
    a.blocks = true;
  }
  return a;
}

identity::Principal App::authenticate(const Request& req) const {
  auto it = req.headers.find("authorization");
  if (it == req.headers.end()) throw unauthorized("Missing Authorization header");
  std::string_view h = it->second;
  constexpr std::string_view kBearer = "Bearer ";
  if (h.size() <= kBearer.size() || h.substr(0, kBearer.size()) != kBearer)
    throw unauthorized("Authorization header must be 'Bearer <token>'");
  return verifier_.verify(h.substr(kBearer.size()));
}

namespace {

// JSON bodies: a Content-Type, when sent, must be JSON (application/json, or any +json type).
void check_json_media(const Request& req) {
  auto it = req.headers.find("content-type");
  if (it == req.headers.end() || req.body.empty()) return;
  std::string_view type = it->second;
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  std::string lower(type);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (lower == "application/json" || lower.ends_with("+json")) return;
  throw Error(ErrorCode::unsupported_media,
              "Content-Type must be application/json, not " + std::string(type.substr(0, 100)));
}

}  // namespace

Response App::dispatch(const Request& req, std::string& user_id) {
  auto m = router_.match(req.method, req.path);
  if (!m.path_found) {
    if (options_.fallback && (req.method == "GET" || req.method == "HEAD"))
      if (auto r = options_.fallback(req)) return std::move(*r);
    return error_response(ErrorCode::not_found, "No route for " + req.path);
  }
  if (!m.route) {
    Response r = error_response(ErrorCode::method_not_allowed, "Method " + req.method + " not allowed here");
    r.headers.emplace_back("Allow", m.allow);
    return r;
  }
  const Route& route = *m.route;
  // A file of the web app (`--web`) whose path an API route also matches: Next's router fetches
  // /fetch/index.txt?_rsc=... for the page /fetch/?report=..., which GET /fetch/{job} matches
  // (docs/WEBAPP.md 1). A GET or HEAD without a token gets the file when there is one.
  if (route.access == Access::bearer && options_.fallback && (req.method == "GET" || req.method == "HEAD") &&
      !req.headers.contains("authorization"))
    if (auto r = options_.fallback(req); r && r->status == 200) return std::move(*r);
  identity::Principal user;
  if (route.access == Access::bearer) {
    user = authenticate(req);
    user_id = user.sub;
  }
  if (route.media == Media::json) check_json_media(req);
  return route.handler(Call{req, m.params, user});
}

Response App::handle(const Request& req) noexcept {
  try {
    RequestScope scope(req.request_id);  // store and blob log lines below carry it
    std::string user;
    Response r;
    try {
      r = dispatch(req, user);
    } catch (const Error& e) {
      if (e.code() == ErrorCode::internal || e.code() == ErrorCode::unavailable)
        spdlog::warn("{} {} (request_id {}): {}", req.method, req.path, req.request_id, e.what());
      r = error_response(e);
    } catch (const std::exception& e) {
      spdlog::error("{} {} (request_id {}): unexpected: {}", req.method, req.path, req.request_id, e.what());
      r = error_response(internal_error(e.what()));
    } catch (...) {
      spdlog::error("{} {} (request_id {}): unexpected exception", req.method, req.path, req.request_id);
      r = error_response(internal_error("unknown exception"));
    }
    r.user_id = std::move(user);
    add_request_id(r, req.request_id);
    return r;
  } catch (...) {  // out of memory building the error itself
    Response r;
    r.status = 500;
    r.body = R"({"message":"internal error","code":"InternalError"})";
    return r;
  }
}

Response App::refuse(const Error& error) const noexcept {
  try {
    return error_response(error);
  } catch (...) {
    Response r;
    r.status = 500;
    r.body = R"({"message":"internal error","code":"InternalError"})";
    return r;
  }
}

}  // namespace k9::api
