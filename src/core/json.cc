#include "core/json.h"

#include <charconv>
#include <cmath>

#include "core/error.h"
#include "core/utf8.h"

namespace k9 {

namespace json = boost::json;

json::value parse_json(std::string_view text) {
  if (!valid_utf8(text)) throw bad_request("Request body is not valid UTF-8");
  json::parse_options opt;
  opt.max_depth = 32;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, {}, opt);
  if (ec) {
    std::string why = ec.message();
    if (ec == json::error::syntax || ec == json::error::incomplete || ec == json::error::extra_data) {
      throw bad_request("Malformed JSON: " + why);
    }
    throw bad_request("Invalid JSON: " + why);
  }
  return v;
}

json::object parse_json_object(std::string_view text) {
  if (text.empty()) throw bad_request("Request body is required");
  json::value v = parse_json(text);
  if (!v.is_object()) throw bad_request("Request body must be a JSON object");
  return std::move(v.as_object());
}

namespace {
void write(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (auto& [k, e] : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        out += json::serialize(json::string_view(k));
        out.push_back(':');
        write(e, out);
      }
      out.push_back('}');
      break;
    }
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (auto& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        write(e, out);
      }
      out.push_back(']');
      break;
    }
    case json::kind::double_: {
      double d = v.get_double();
      if (!std::isfinite(d)) {
        out += "null";
        break;
      }
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, d);
      out.append(buf, r.ptr);
      break;
    }
    case json::kind::string: out += json::serialize(v); break;
    default: out += json::serialize(v); break;
  }
}
}  // namespace

std::string to_json_text(const json::value& v) {
  std::string out;
  out.reserve(256);
  write(v, out);
  return out;
}

}  // namespace k9
