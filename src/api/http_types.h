// Transport-neutral request and response: what the routes see. The HTTP server and the
// Lambda runtime translate their own messages to and from these.
#pragma once
#include <map>
#include <string>
#include <vector>

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
};

// What a front door drives. Must not throw: errors are already responses.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual Response handle(const Request& request) = 0;
  // False when handle() answers quickly without waiting on anything slow (a disk sync, a
  // password hash, a remote call): the front door may then run it on its network thread
  // and skip two thread hand-offs. The default is the safe answer.
  virtual bool may_block(const Request& request) const { return true; }
};

}  // namespace k9::api
