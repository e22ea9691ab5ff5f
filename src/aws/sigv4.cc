#include "aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <stdexcept>
#include <vector>

#include "aws/url_parts.h"
#include "core/encoding.h"

namespace k9::aws {

namespace {

constexpr const char* kAlgorithm = "AWS4-HMAC-SHA256";

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
            data.size(), out, &len))
    throw std::runtime_error("HMAC-SHA256 failed");
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::string normalize_path(const std::string& path) {
  std::vector<std::string> segments;
  size_t i = 0;
  std::string last;
  while (i <= path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string::npos) slash = path.size();
    std::string seg = path.substr(i, slash - i);
    last = seg;
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    i = slash + 1;
  }
  std::string out;
  for (auto& s : segments) out += "/" + s;
  bool trailing = last.empty() || last == "." || last == "..";
  if (out.empty() || trailing) out += "/";
  return out;
}

using Params = std::vector<std::pair<std::string, std::string>>;  // encoded key, encoded value

Params canonical_query_params(const std::string& query) {
  Params params;
  size_t i = 0;
  while (i <= query.size() && !query.empty()) {
    size_t amp = query.find('&', i);
    if (amp == std::string::npos) amp = query.size();
    std::string_view part(query.data() + i, amp - i);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string k = percent_decode(part.substr(0, eq));
      std::string v = eq == std::string_view::npos ? "" : percent_decode(part.substr(eq + 1));
      params.emplace_back(aws_uri_encode(k, false), aws_uri_encode(v, false));
    }
    i = amp + 1;
  }
  return params;
}

std::string join_query(Params params) {
  std::sort(params.begin(), params.end());
  std::string out;
  for (auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

// Whitespace runs (spaces, tabs, folded lines) become one space; ends are trimmed.
std::string normalize_header_value(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

bool unsigned_header(const std::string& lower_name) {
  static const char* skip[] = {"authorization", "user-agent", "expect", "x-amzn-trace-id", "connection",
                               "transfer-encoding", "accept-encoding"};
  return std::any_of(std::begin(skip), std::end(skip), [&](const char* s) { return lower_name == s; });
}

struct CanonicalHeaders {
  std::string text;    // "name:value\n" lines
  std::string signed_names;  // "a;b;c"
};

CanonicalHeaders canonical_headers(const HttpRequest& request) {
  std::map<std::string, std::string> merged;
  for (auto& [k, v] : request.headers) {
    std::string name = lower(k);
    if (unsigned_header(name)) continue;
    std::string value = normalize_header_value(v);
    auto [it, inserted] = merged.emplace(name, value);
    if (!inserted) it->second += "," + value;
  }
  CanonicalHeaders c;
  for (auto& [k, v] : merged) {
    c.text += k + ":" + v + "\n";
    if (!c.signed_names.empty()) c.signed_names += ';';
    c.signed_names += k;
  }
  return c;
}

std::string canonical_uri(const std::string& path, const SigningParams& p) {
  std::string uri = p.normalize_path ? normalize_path(path) : path;
  return p.escape_path ? aws_uri_encode(uri, true) : uri;
}

std::string scope(const std::string& date8, const SigningParams& p) {
  return date8 + "/" + p.region + "/" + p.service + "/aws4_request";
}

SigningResult finish(const std::string& canonical, const std::string& when, const Credentials& c,
                     const SigningParams& p) {
  SigningResult r;
  r.canonical_request = canonical;
  std::string date8 = when.substr(0, 8);
  r.string_to_sign = std::string(kAlgorithm) + "\n" + when + "\n" + scope(date8, p) + "\n" + sha256_hex(canonical);
  std::string k = hmac("AWS4" + c.secret_access_key, date8);
  k = hmac(k, p.region);
  k = hmac(k, p.service);
  k = hmac(k, "aws4_request");
  r.signature = hex_encode(hmac(k, r.string_to_sign));
  return r;
}

void ensure_host(HttpRequest& request, const UrlParts& url) {
  if (!request.header("host")) request.headers.emplace_back("Host", url.authority);
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr))
    throw std::runtime_error("SHA-256 failed");
  return hex_encode(std::string_view(reinterpret_cast<char*>(out), len));
}

std::string aws_uri_encode(std::string_view bytes, bool keep_slash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string amz_date(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

namespace {

// What both ways of signing start from: the request's url parts (its Host header set), the
// time stamp, the payload's hash and whether the session token is signed.
struct SigningStart {
  UrlParts url;
  std::string when;
  std::string payload;
  bool token_signed;
};

SigningStart start_signing(HttpRequest& request, const Credentials& c, const SigningParams& p) {
  SigningStart s{split_url(request.url), amz_date(p.time),
                 p.payload_hash.empty() ? sha256_hex(request.body) : p.payload_hash,
                 !c.session_token.empty() && !p.omit_session_token};
  ensure_host(request, s.url);
  return s;
}

}  // namespace

SigningResult sign_headers(HttpRequest& request, const Credentials& c, const SigningParams& p) {
  auto [url, when, payload, token_signed] = start_signing(request, c, p);
  request.set_header("X-Amz-Date", when);
  if (token_signed) request.set_header("X-Amz-Security-Token", c.session_token);
  if (p.sign_body_header) request.set_header("X-Amz-Content-Sha256", payload);

  CanonicalHeaders h = canonical_headers(request);
  std::string canonical = request.method + "\n" + canonical_uri(url.path, p) + "\n" +
                          join_query(canonical_query_params(url.query)) + "\n" + h.text + "\n" + h.signed_names +
                          "\n" + payload;
  SigningResult r = finish(canonical, when, c, p);
  request.set_header("Authorization", std::string(kAlgorithm) + " Credential=" + c.access_key_id + "/" +
                                          scope(when.substr(0, 8), p) + ", SignedHeaders=" + h.signed_names +
                                          ", Signature=" + r.signature);
  if (!c.session_token.empty() && !token_signed) request.set_header("X-Amz-Security-Token", c.session_token);
  return r;
}

SigningResult presign(HttpRequest& request, const Credentials& c, const SigningParams& p) {
  auto [url, when, payload, token_signed] = start_signing(request, c, p);
  CanonicalHeaders h = canonical_headers(request);

  Params added{{"X-Amz-Algorithm", kAlgorithm},
               {"X-Amz-Credential", aws_uri_encode(c.access_key_id + "/" + scope(when.substr(0, 8), p), false)},
               {"X-Amz-Date", when},
               {"X-Amz-SignedHeaders", aws_uri_encode(h.signed_names, false)},
               {"X-Amz-Expires", std::to_string(p.expires.count())}};
  if (!c.session_token.empty()) added.emplace_back("X-Amz-Security-Token", aws_uri_encode(c.session_token, false));

  Params all = canonical_query_params(url.query);
  for (auto& kv : added)
    if (kv.first != "X-Amz-Security-Token" || token_signed) all.push_back(kv);
  std::string canonical = request.method + "\n" + canonical_uri(url.path, p) + "\n" + join_query(all) + "\n" + h.text +
                          "\n" + h.signed_names + "\n" + payload;
  SigningResult r = finish(canonical, when, c, p);

  std::string query = url.query;
  for (auto& [k, v] : added) query += (query.empty() ? "" : "&") + k + "=" + v;
  query += "&X-Amz-Signature=" + r.signature;
  size_t scheme = request.url.find("://");
  size_t cut = request.url.find_first_of("?#", scheme == std::string::npos ? 0 : scheme + 3);
  std::string base = cut == std::string::npos ? request.url : request.url.substr(0, cut);
  if (base.find('/', scheme == std::string::npos ? 0 : scheme + 3) == std::string::npos) base += "/";
  request.url = base + "?" + query;
  return r;
}

}  // namespace k9::aws
