// Route table: method + path pattern ("/reports/{id}/favorites/{productId}") -> handler. A
// last segment "{name+}" captures the rest of the path ("/files/{key+}": "a/b/c.png").
// An unknown path is 404; a known path with another method is 405 with an Allow header.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "api/http_types.h"

namespace k9::api {

using Params = std::map<std::string, std::string>;

struct RouteMatch {
  std::function<Response(const Request&, const Params&)> const* handler = nullptr;
  Params params;
  std::string allow;  // methods of the path when the method did not match
  bool path_found = false;
};

class Router {
 public:
  void add(std::string method, std::string pattern, std::function<Response(const Request&, const Params&)> h);
  RouteMatch match(const std::string& method, const std::string& path) const;

  // Every route as added, in order: what the authorization matrix test enumerates.
  struct RouteInfo {
    std::string method, pattern;
  };
  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" captures one non-empty segment
    std::function<Response(const Request&, const Params&)> handler;
  };
  std::vector<Route> routes_;
};

}  // namespace k9::api
