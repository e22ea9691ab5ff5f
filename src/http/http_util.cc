#include "http/http_util.h"

#include <time.h>

#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <random>
#include <thread>

#include <boost/url/encoding_opts.hpp>
#include <boost/url/grammar/string_token.hpp>
#include <boost/url/pct_string_view.hpp>

#include "core/append_number.h"

namespace k9::http::detail {

namespace urls = boost::urls;

void split_target(std::string_view target, std::string_view& path, std::string_view& query) {
  auto q = target.find('?');
  if (q == std::string_view::npos) {
    path = target;
    query = {};
  } else {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
}

namespace {

// Validates the %-escapes of raw (Boost.URL) and decodes it into out (assigned).
bool pct_decode(std::string_view raw, bool plus_is_space, std::string& out) {
  auto pv = urls::make_pct_string_view(urls::string_view(raw.data(), raw.size()));
  if (pv.has_error()) return false;
  urls::encoding_opts opt;
  opt.space_as_plus = plus_is_space;
  pv->decode(opt, urls::string_token::assign_to(out));
  return out.find('\0') == std::string::npos;
}

}  // namespace

bool decode_path(std::string_view raw, std::string& out) {
  if (raw.empty() || raw.front() != '/') return false;
  return pct_decode(raw, false, out);
}

bool decode_query(std::string_view raw, std::map<std::string, std::string>& out) {
  std::string name, value;
  while (!raw.empty()) {
    auto amp = raw.find('&');
    std::string_view part = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    std::string_view n = part.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
    if (!pct_decode(n, true, name) || !pct_decode(v, true, value)) return false;
    out.insert_or_assign(std::move(name), std::move(value));
    name.clear();
    value.clear();
  }
  return true;
}

std::string normalize_base_path(std::string_view base) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  if (base.empty()) return {};
  std::string out;
  if (base.front() != '/') out += '/';
  out += base;
  return out;
}

bool strip_base_path(std::string& path, std::string_view base) {
  if (base.empty()) return true;
  if (path.size() < base.size() || path.compare(0, base.size(), base) != 0) return false;
  if (path.size() == base.size()) {
    path.assign("/");
    return true;
  }
  if (path[base.size()] != '/') return false;
  path.erase(0, base.size());
  return true;
}

bool is_sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void new_request_id(std::string& out) {
  // Not a secret: a per-thread PRNG seeded from the OS is plenty and costs no syscall.
  thread_local std::mt19937_64 rng = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(),
                      static_cast<unsigned>(std::hash<std::thread::id>{}(std::this_thread::get_id()))};
    return std::mt19937_64(seq);
  }();
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  static constexpr char hex[] = "0123456789abcdef";
  char buf[36];
  int pos = 0;
  auto put = [&](uint64_t v, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) buf[pos++] = hex[(v >> (i * 4)) & 0xf];
  };
  put(hi >> 32, 8);
  buf[pos++] = '-';
  put((hi >> 16) & 0xffff, 4);
  buf[pos++] = '-';
  put(hi & 0xffff, 4);
  buf[pos++] = '-';
  put(lo >> 48, 4);
  buf[pos++] = '-';
  put(lo & 0xffffffffffffULL, 12);
  out.assign(buf, sizeof buf);
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of the pending run of plain characters
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xf];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

std::string json_error_body(std::string_view message, std::string_view code) {
  std::string out;
  out.reserve(32 + message.size() + code.size());
  out += "{\"message\":";
  append_json_string(out, message);
  out += ",\"code\":";
  append_json_string(out, code);
  out += '}';
  return out;
}

namespace {

// Per-thread cache of the formatted current second: formatting runs once a second per thread
// (strftime in the C locale: this program never calls setlocale).
struct TimeCache {
  int64_t second = -1;
  char http_date[30];  // Sun, 06 Nov 1994 08:49:37 GMT (and a NUL)
  char iso[20];        // 1994-11-06T08:49:37 (and a NUL)
};

const TimeCache& time_cache(std::chrono::system_clock::time_point now) {
  thread_local TimeCache cache;
  int64_t sec = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (sec != cache.second) {
    time_t t = static_cast<time_t>(sec);
    struct tm tm;
    gmtime_r(&t, &tm);
    std::strftime(cache.http_date, sizeof cache.http_date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    std::strftime(cache.iso, sizeof cache.iso, "%Y-%m-%dT%H:%M:%S", &tm);
    cache.second = sec;
  }
  return cache;
}

// Milliseconds with three decimals (microseconds); a negative duration (a clock step) as 0.
void append_millis(std::string& out, double ms) { append_number(out, ms >= 0 ? ms : 0, std::chars_format::fixed, 3); }

}  // namespace

void append_http_date(std::string& out) {
  const auto& c = time_cache(std::chrono::system_clock::now());
  out.append(c.http_date, sizeof c.http_date - 1);
}

void format_access_line(std::string& out, const AccessRecord& r) {
  auto now = std::chrono::system_clock::now();
  const auto& c = time_cache(now);
  int ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  out += "{\"ts\":\"";
  out.append(c.iso, sizeof c.iso - 1);
  out += '.';
  out += static_cast<char>('0' + ms / 100);
  out += static_cast<char>('0' + ms / 10 % 10);
  out += static_cast<char>('0' + ms % 10);
  out += "Z\"";
  const std::pair<std::string_view, std::string_view> texts[] = {
      {"request_id", r.request_id}, {"method", r.method}, {"path", r.path}, {"route", r.route}};
  const std::pair<std::string_view, uint64_t> counts[] = {
      {"status", static_cast<uint64_t>(r.status < 0 ? 0 : r.status)}, {"bytes_in", r.bytes_in}, {"bytes_out", r.bytes_out}};
  auto name = [&out](std::string_view n) {
    out += ",\"";
    out += n;
    out += "\":";
  };
  for (auto& [n, text] : texts) {
    name(n);
    append_json_string(out, text);
  }
  for (auto& [n, count] : counts) {
    name(n);
    append_number(out, count);
  }
  name("duration_ms");
  append_millis(out, r.duration_ms);
  for (auto& [n, text] : {std::pair{"remote", r.remote}, std::pair{"user", r.user}}) {
    name(n);
    append_json_string(out, text);
  }
  out += '}';
}

void format_access_text(std::string& out, const AccessRecord& r) {
  auto now = std::chrono::system_clock::now();
  const auto& c = time_cache(now);
  out.append(c.iso, sizeof c.iso - 1);
  out += "Z ";
  append_number(out, static_cast<uint64_t>(r.status < 0 ? 0 : r.status));
  out += ' ';
  out += r.method;
  out += ' ';
  for (char ch : r.path) out += (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ? '?' : ch;
  out += ' ';
  out += r.route.empty() ? std::string_view("-") : r.route;
  out += ' ';
  append_millis(out, r.duration_ms);
  out += "ms in=";
  append_number(out, r.bytes_in);
  out += " out=";
  append_number(out, r.bytes_out);
  out += " user=";
  out += r.user.empty() ? std::string_view("-") : r.user;
  out += " id=";
  out += r.request_id;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

}  // namespace k9::http::detail
