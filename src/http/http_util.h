// Transport helpers of the HTTP front door that need neither Beast nor Asio: target
// decoding, request ids, JSON error bodies, dates and the access-log line.
// Internal to src/http.
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace k9::http::detail {

// Splits a request target at the first '?' (the query excludes it; empty when absent).
void split_target(std::string_view target, std::string_view& path, std::string_view& query);

// Percent-decodes a path into out. False on an invalid or truncated %-escape, on a NUL,
// or when the path does not start with '/'. '+' stays '+'.
bool decode_path(std::string_view raw, std::string& out);

// Decodes a query string (form style: '+' is a space) into out, the last value of a
// repeated name wins and a name without '=' gets "". False on invalid %-escapes or a NUL.
bool decode_query(std::string_view raw, std::map<std::string, std::string>& out);

// "" for none, else "/a/b" (leading '/', no trailing '/').
std::string normalize_base_path(std::string_view base);
// Strips a normalized base path from a decoded path: "/prod" -> "/", "/prod/x" -> "/x".
// False when the path is outside it ("/production", "/other").
bool strip_base_path(std::string& path, std::string_view base);

// 1..128 chars of [A-Za-z0-9._-].
bool is_sane_request_id(std::string_view id);
// A fresh random id (UUID v4 form) into out.
void new_request_id(std::string& out);

// Appends s as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);
// {"message":"...","code":"..."}
std::string json_error_body(std::string_view message, std::string_view code);

// Appends the current time as an IMF-fixdate (Date header value).
void append_http_date(std::string& out);

struct AccessRecord {
  std::string_view request_id;
  std::string_view method;
  std::string_view path;  // raw path, no query string (so never a signature or a presigned query)
  std::string_view route;  // the route's name ("reports.list"); empty: none matched
  std::string_view user;   // the verified caller's id; empty on open routes
  int status = 0;
  size_t bytes_in = 0;
  size_t bytes_out = 0;
  double duration_ms = 0;
  std::string_view remote;
};
// One JSON object, no newline: {"ts":"...","request_id":...,"remote":"..."}.
void format_access_line(std::string& out, const AccessRecord& r);
// The same as one line of text for a terminal: ts status method path route duration bytes user id.
void format_access_text(std::string& out, const AccessRecord& r);

// Reason phrase of a status ("Unknown" for codes without one).
std::string_view reason_phrase(int status);

}  // namespace k9::http::detail
