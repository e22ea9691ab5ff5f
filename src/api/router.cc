#include "api/router.h"

namespace k9::api {

namespace {
std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}
}  // namespace

void Router::add(std::string method, std::string pattern, std::function<Response(const Request&, const Params&)> h) {
  auto segments = split(pattern);
  routes_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(h)});
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (auto& r : routes_) out.push_back({r.method, r.pattern});
  return out;
}

RouteMatch Router::match(const std::string& method, const std::string& path) const {
  RouteMatch m;
  if (path.size() > 1 && path.back() == '/') return m;  // no trailing slashes
  auto segs = split(path);
  for (auto& r : routes_) {
    // A last "{name+}" takes the rest of the path (one or more segments, joined by '/').
    bool rest = !r.segments.empty() && r.segments.back().size() > 3 && r.segments.back().ends_with("+}");
    if (rest ? segs.size() < r.segments.size() : r.segments.size() != segs.size()) continue;
    Params params;
    bool ok = true;
    for (size_t i = 0; i < r.segments.size() && ok; ++i) {
      auto& pat = r.segments[i];
      if (rest && i + 1 == r.segments.size()) {
        std::string joined;
        for (size_t j = i; j < segs.size(); ++j) joined += (j > i ? "/" : "") + segs[j];
        params[pat.substr(1, pat.size() - 3)] = std::move(joined);
      } else if (pat.size() > 2 && pat.front() == '{' && pat.back() == '}') {
        params[pat.substr(1, pat.size() - 2)] = segs[i];
      } else {
        ok = pat == segs[i];
      }
    }
    if (!ok) continue;
    m.path_found = true;
    if (r.method == method) {
      m.handler = &r.handler;
      m.params = std::move(params);
      return m;
    }
    m.allow += (m.allow.empty() ? "" : ", ") + r.method;
  }
  return m;
}

}  // namespace k9::api
