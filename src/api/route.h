// One route of the API, declared once beside its handler: everything a front door, the
// dispatcher, the authorization matrix test and the access log need to know about it.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "api/api_doc.h"
#include "api/handler.h"
#include "identity/identity.h"

namespace k9::api {

using Params = std::map<std::string, std::string>;

// Who may call it.
enum class Access {
  open,    // no token (sign-in, health, JWKS, signed file links)
  bearer,  // `Authorization: Bearer <token>`, verified by App before the handler runs
};

// What handling it may wait on. Whether it then blocks a network thread follows from this
// and from the wiring (App: the store says whether its reads are local, the verifier whether
// a token check can call out).
enum class Blocking {
  undeclared,  // App refuses a route that does not say
  never,  // answers from memory
  reads,  // reads the store (or the list cache); quick when the store's reads are local
  always, // writes (group commit), hashes passwords, reads files or matrices, calls a backend
};

// What its body is.
enum class Media {
  none,   // no body expected (whatever is sent is ignored)
  json,   // a JSON object: a Content-Type other than JSON is 415
  bytes,  // raw bytes (images: sniffed by the handler, never trusted from headers)
};

// What a handler gets: the request, the path parameters, and (Access::bearer) the verified
// caller.
struct Call {
  const Request& request;
  const Params& params;
  const identity::Principal& user;  // empty sub on open routes
  const std::string& param(const std::string& name) const { return params.at(name); }
};

using RouteHandler = std::function<Response(const Call&)>;

struct Route {
  Route() = default;
  Route(std::string method, std::string pattern, std::string name, Access access, Blocking blocking, Media media,
        size_t max_body_bytes, RouteHandler handler, RouteDoc doc = {})
      : method(std::move(method)),
        pattern(std::move(pattern)),
        name(std::move(name)),
        access(access),
        blocking(blocking),
        media(media),
        max_body_bytes(max_body_bytes),
        handler(std::move(handler)),
        doc(std::move(doc)) {}

  std::string method;   // "GET", "POST", ...
  std::string pattern;  // "/reports/{id}/favorites/{productId}"; a last "{name+}" takes the rest
  std::string name;     // for logs and metrics: "reports.favorites.set"
  Access access = Access::bearer;
  Blocking blocking = Blocking::undeclared;
  Media media = Media::none;
  size_t max_body_bytes = 0;  // 0: the App's default (AppOptions::max_body_bytes)
  RouteHandler handler;
  // What the API document says of it (api/openapi.h): summary, schemas, an example.
  RouteDoc doc;
};

class Router;

// A unit of routes (auth, profile, reports, results, files, embeddings, ...), constructed
// with only the services it uses.
class RouteGroup {
 public:
  virtual ~RouteGroup() = default;
  virtual std::vector<Route> routes() = 0;
  // Called once the App's table holds every group's routes (the API document is made of it).
  virtual void attached(const Router& router) {}
};

}  // namespace k9::api
