#include "core/json_codec.h"

#include <cmath>
#include <charconv>

#include "core/decimal.h"
#include "core/json.h"

namespace k9 {

std::string camel_case(std::string_view snake) {
  std::string out;
  out.reserve(snake.size());
  bool upper = false;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
  return out;
}

namespace json_codec_detail {

void fail(const std::string& path, const std::string& what) {
  throw bad_request((path.empty() ? std::string("body") : path) + " " + what);
}

std::string child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

Decimal decimal_from(const boost::json::value& v, const std::string& path) {
  std::string text;
  if (auto exact = exact_number_text(v)) {
    text = *exact;
  } else if (v.is_int64()) {
    text = std::to_string(v.get_int64());
  } else if (v.is_uint64()) {
    text = std::to_string(v.get_uint64());
  } else if (v.is_double()) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v.get_double());  // shortest exact form
    text.assign(buf, r.ptr);
  } else if (v.is_string() && v.get_string().size() <= 64) {
    text = v.get_string();  // exact decimals may be sent as strings
  } else {
    fail(path, "must be a number");
  }
  try {
    return Decimal{canonical_decimal(text)};
  } catch (const std::invalid_argument&) {
    fail(path, "must be a number");
  }
}

boost::json::value decimal_to(const Decimal& d) {
  const std::string& t = d.text;
  if (t.find('.') == std::string::npos && t.size() <= 18) return std::stoll(t);
  return exact_number(t);  // written as the bare number by to_json_text: every digit kept
}

}  // namespace json_codec_detail

void from_json(const boost::json::value& v, std::string& out, const std::string& path, const DecodeLimits& l) {
  if (!v.is_string()) json_codec_detail::fail(path, "must be a string");
  auto& s = v.get_string();
  if (s.size() > l.max_string)
    json_codec_detail::fail(path, "must be at most " + std::to_string(l.max_string) + " bytes");
  out.assign(s.data(), s.size());
}

void from_json(const boost::json::value& v, bool& out, const std::string& path, const DecodeLimits&) {
  if (!v.is_bool()) json_codec_detail::fail(path, "must be a boolean");
  out = v.get_bool();
}

void from_json(const boost::json::value& v, Decimal& out, const std::string& path, const DecodeLimits&) {
  out = json_codec_detail::decimal_from(v, path);
}

}  // namespace k9
