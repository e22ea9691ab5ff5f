#include "core/json.h"

#include <boost/json/basic_parser_impl.hpp>

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

json::value exact_number(std::string text) {
  json::object o;
  o.emplace(kExactNumberKey, json::string(text));
  return o;
}

const json::string* exact_number_text(const json::value& v) {
  if (!v.is_object()) return nullptr;
  auto& o = v.get_object();
  if (o.size() != 1) return nullptr;
  auto& [k, val] = *o.begin();
  return k == kExactNumberKey && val.is_string() ? &val.get_string() : nullptr;
}

namespace {

// basic_parser handler building a json::value in which numbers are exact numbers.
class ExactNumberHandler {
 public:
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);

  json::value_stack st;
  std::string number;

  bool on_document_begin(boost::system::error_code&) {
    st.reset();
    return true;
  }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t n, boost::system::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_object_begin(boost::system::error_code&) { return true; }
  bool on_object_end(std::size_t n, boost::system::error_code&) {
    st.push_object(n);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, boost::system::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, boost::system::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, boost::system::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, boost::system::error_code&) {
    st.push_key(s);
    return true;
  }
  bool on_number_part(json::string_view s, boost::system::error_code&) {
    number.append(s.data(), s.size());
    return true;
  }
  bool on_int64(int64_t, json::string_view s, boost::system::error_code&) { return finish_number(s); }
  bool on_uint64(uint64_t, json::string_view s, boost::system::error_code&) { return finish_number(s); }
  bool on_double(double, json::string_view s, boost::system::error_code&) { return finish_number(s); }
  bool on_bool(bool b, boost::system::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(boost::system::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(json::string_view, boost::system::error_code&) { return true; }

 private:
  bool finish_number(json::string_view s) {
    number.append(s.data(), s.size());
    st.push_key(kExactNumberKey);
    st.push_string(number);
    st.push_object(1);
    number.clear();
    return true;
  }
};

}  // namespace

json::object parse_json_object(std::string_view text) {
  if (text.empty()) throw bad_request("Request body is required");
  if (!valid_utf8(text)) throw bad_request("Request body is not valid UTF-8");
  json::parse_options opt;
  opt.max_depth = 32;
  json::basic_parser<ExactNumberHandler> p(opt);
  boost::system::error_code ec;
  size_t n = p.write_some(false, text.data(), text.size(), ec);
  if (!ec && n < text.size()) ec = json::error::extra_data;
  if (ec) throw bad_request("Malformed JSON: " + ec.message());
  json::value v = p.handler().st.release();
  if (!v.is_object()) throw bad_request("Request body must be a JSON object");
  return std::move(v.as_object());
}

namespace {
void write(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::object: {
      if (auto exact = exact_number_text(v)) {
        out.append(exact->data(), exact->size());
        break;
      }
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

std::string string_member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace k9
