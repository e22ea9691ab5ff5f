// An absolute URL split into the parts the AWS module needs: where to connect (scheme, host,
// port), what to sign (authority, path, query) and what to send as the request target.
//
// Contract of split_url():
//  - Never throws and never judges: the path and query are kept as written (they may hold raw
//    bytes); the user info before '@' and the fragment are dropped.
//  - path is "/" when the URL has none; port is the URL's (empty when it names none), host is
//    without the brackets of an IPv6 literal.
#pragma once
#include <string>

namespace k9::aws {

struct UrlParts {
  std::string scheme;     // lower-case, "" when the URL has no "://"
  std::string authority;  // host[:port] as written, for the Host header
  std::string host;       // "::1" for [::1]
  std::string port;       // "" when the URL names none
  std::string path;       // "/..." as written
  std::string query;      // after '?', without it

  // path?query, as an HTTP/1.1 request target.
  std::string target() const { return query.empty() ? path : path + "?" + query; }
};

UrlParts split_url(const std::string& url);

}  // namespace k9::aws
