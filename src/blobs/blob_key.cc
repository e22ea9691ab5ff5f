#include "blobs/blob_store.h"

namespace k9::blobs {

namespace {

bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-' || c == ':' || c == '=' || c == '+';
}

// Why `segment` cannot be part of a key, or "" when it can. `last_may_be_partial`: a prefix's
// last segment may be empty (it ends with '/').
std::string segment_problem(std::string_view segment) {
  if (segment.empty()) return "has an empty segment";
  if (segment.size() > kMaxSegmentBytes) return "has a segment longer than 255 bytes";
  if (segment.front() == '.') return "has a segment starting with '.'";
  for (char c : segment)
    if (!key_char(c)) return "has a character outside [A-Za-z0-9._:=+-/]";
  return "";
}

std::string key_problem(std::string_view key, bool prefix) {
  if (key.empty()) return prefix ? "" : "is empty";
  if (key.size() > kMaxKeyBytes) return "is longer than 1024 bytes";
  size_t start = 0;
  for (;;) {
    size_t slash = key.find('/', start);
    std::string_view segment = key.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    bool last = slash == std::string_view::npos;
    if (!(prefix && last && segment.empty())) {
      if (auto p = segment_problem(segment); !p.empty()) return p;
    }
    if (last) return "";
    start = slash + 1;
  }
}

}  // namespace

void check_key(std::string_view key) {
  if (auto p = key_problem(key, false); !p.empty()) throw InvalidKey("blob key '" + std::string(key.substr(0, 200)) + "' " + p);
}

bool valid_key(std::string_view key) { return key_problem(key, false).empty(); }

void check_prefix(std::string_view prefix) {
  if (auto p = key_problem(prefix, true); !p.empty())
    throw InvalidKey("blob prefix '" + std::string(prefix.substr(0, 200)) + "' " + p);
}

}  // namespace k9::blobs
