// The handler port: what a front door (the HTTP server, the Lambda runtime) drives. Requests
// and responses are transport-neutral; each front door translates its own messages to and from
// these, and knows nothing of routes: it asks the handler what a request may send (admit) and
// where it may run, then hands it over (handle).
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace k9::api {

// Header names are lower-cased by the front door.
struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path without the query, base path already stripped
  std::map<std::string, std::string> query;    // decoded query parameters
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string remote_address;
  std::string request_id;  // set by the front door, echoed in X-Request-Id
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";
  // The authenticated caller's id (the token's sub) for the access log; empty on open routes
  // and when no token was verified. Never sent.
  std::string user_id;
};

// What a request may do, known from its method and path alone, before its body is read.
struct Admission {
  size_t max_body_bytes = 0;  // larger bodies are refused with 413 before they are read
  // True when handling it may wait on something slow (a disk sync, a password hash, a call
  // to a remote backend): the front door must not run it on a network thread.
  bool blocks = true;
  // The route's name for logs and metrics ("reports.list"); empty when no route matches.
  // Points into the handler's table, which lives as long as the handler.
  std::string_view route;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Cheap and thread-safe: a table look-up.
  virtual Admission admit(std::string_view method, std::string_view path) const noexcept = 0;
  // Never throws: every failure is already an error response.
  virtual Response handle(const Request& request) noexcept = 0;
  // The answer to a request the front door refuses itself (too large, malformed, shutting
  // down): the same error body and status mapping as handle()'s errors.
  virtual Response refuse(const Error& error) const noexcept = 0;
};

}  // namespace k9::api
