// The route table: method + path pattern -> Route (api/route.h). A last segment "{name+}"
// captures the rest of the path ("/files/{key+}": "a/b/c.png"). An unknown path is not
// found; a known path with another method lists the methods it has.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "api/route.h"

namespace k9::api {

struct RouteMatch {
  const Route* route = nullptr;  // nullptr: no route for this method and path
  Params params;
  std::string allow;  // methods of the path when the method did not match
  bool path_found = false;
};

class Router {
 public:
  // Throws std::logic_error for a route declared twice (same method and pattern).
  void add(Route route);
  RouteMatch match(std::string_view method, std::string_view path) const;
  // The route of method + path without capturing parameters (admission, on every request's
  // head); nullptr when none. *path_found tells whether the path has a route for another method.
  const Route* find(std::string_view method, std::string_view path, bool* path_found = nullptr) const;
  // Every route as added, in order: what the authorization matrix test and the API document
  // enumerate.
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;  // per route; "{name}" captures one segment
};

}  // namespace k9::api
