#include "aws/url_parts.h"

#include <algorithm>
#include <cctype>

namespace k9::aws {

UrlParts split_url(const std::string& url) {
  UrlParts p;
  size_t start = url.find("://");
  if (start != std::string::npos) {
    p.scheme = url.substr(0, start);
    for (auto& c : p.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    start += 3;
  } else {
    start = 0;
  }
  size_t path_at = url.find_first_of("/?#", start);
  p.authority = url.substr(start, path_at == std::string::npos ? std::string::npos : path_at - start);
  if (auto at = p.authority.rfind('@'); at != std::string::npos) p.authority = p.authority.substr(at + 1);
  size_t close = p.authority.rfind(']');
  size_t colon = p.authority.rfind(':');
  if (colon != std::string::npos && (close == std::string::npos || colon > close)) {
    p.host = p.authority.substr(0, colon);
    p.port = p.authority.substr(colon + 1);
  } else {
    p.host = p.authority;
  }
  if (p.host.size() >= 2 && p.host.front() == '[' && p.host.back() == ']') p.host = p.host.substr(1, p.host.size() - 2);
  if (path_at == std::string::npos) {
    p.path = "/";
    return p;
  }
  size_t query_at = url.find('?', path_at);
  size_t frag_at = url.find('#', path_at);
  size_t path_end = std::min(query_at, frag_at);
  p.path = url.substr(path_at, path_end == std::string::npos ? std::string::npos : path_end - path_at);
  if (p.path.empty()) p.path = "/";
  if (query_at != std::string::npos && query_at < frag_at)
    p.query = url.substr(query_at + 1, frag_at == std::string::npos ? std::string::npos : frag_at - query_at - 1);
  return p;
}

}  // namespace k9::aws
