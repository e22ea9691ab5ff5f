#include "api/router.h"

#include <boost/container/small_vector.hpp>
#include <stdexcept>

namespace k9::api {

namespace {
template <class Out>
void split(std::string_view path, Out& out) {
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
}
// A last "{name+}" takes the rest of the path (one or more segments, joined by '/').
bool takes_rest(const std::vector<std::string>& pattern) {
  return !pattern.empty() && pattern.back().size() > 3 && pattern.back().ends_with("+}");
}

using Segments = boost::container::small_vector<std::string_view, 8>;

// The path's segments fit the pattern's: same count (or more, for a rest capture), and every
// literal segment equal ("{name}" takes any one).
bool fits(const std::vector<std::string>& pattern, const Segments& segs) {
  if (takes_rest(pattern) ? segs.size() < pattern.size() : pattern.size() != segs.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    auto& pat = pattern[i];
    bool capture = pat.size() > 2 && pat.front() == '{' && pat.back() == '}';
    if (!capture && pat != segs[i]) return false;
  }
  return true;
}

}  // namespace

void Router::add(Route route) {
  for (auto& r : routes_)
    if (r.method == route.method && r.pattern == route.pattern)
      throw std::logic_error("route declared twice: " + route.method + " " + route.pattern);
  std::vector<std::string> segments;
  split(route.pattern, segments);
  segments_.push_back(std::move(segments));
  routes_.push_back(std::move(route));
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch m;
  if (path.size() > 1 && path.back() == '/') return m;  // no trailing slashes
  Segments segs;
  split(path, segs);
  for (size_t k = 0; k < routes_.size(); ++k) {
    if (!fits(segments_[k], segs)) continue;
    const auto& pattern = segments_[k];
    bool rest = takes_rest(pattern);
    m.path_found = true;
    const Route& r = routes_[k];
    if (r.method != method) {
      m.allow += (m.allow.empty() ? "" : ", ") + r.method;
      continue;
    }
    for (size_t i = 0; i < pattern.size(); ++i) {
      auto& pat = pattern[i];
      if (rest && i + 1 == pattern.size()) {
        std::string joined;
        for (size_t j = i; j < segs.size(); ++j) {
          if (j > i) joined += '/';
          joined += segs[j];
        }
        m.params[pat.substr(1, pat.size() - 3)] = std::move(joined);
      } else if (pat.front() == '{') {
        m.params[pat.substr(1, pat.size() - 2)] = std::string(segs[i]);
      }
    }
    m.route = &r;
    m.allow.clear();
    return m;
  }
  return m;
}

const Route* Router::find(std::string_view method, std::string_view path, bool* path_found) const {
  if (path_found) *path_found = false;
  if (path.size() > 1 && path.back() == '/') return nullptr;
  Segments segs;
  split(path, segs);
  for (size_t k = 0; k < routes_.size(); ++k) {
    if (!fits(segments_[k], segs)) continue;
    if (path_found) *path_found = true;
    if (routes_[k].method == method) return &routes_[k];
  }
  return nullptr;
}

}  // namespace k9::api
