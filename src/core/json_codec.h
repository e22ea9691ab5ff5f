// Domain structs <-> JSON, derived from their Boost.Describe descriptions. JSON keys are the
// camelCase of member names. Decoding is strict: unknown fields, wrong types, overlong
// strings and invalid numbers raise k9::Error bad_request naming the field's path
// ("reference.formats[0].length.val must be a number"). Absent fields keep their default.
#pragma once
#include <boost/describe.hpp>
#include <boost/json.hpp>
#include <boost/mp11.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/domain.h"
#include "core/error.h"
#include "core/json.h"

namespace k9 {

std::string camel_case(std::string_view snake);

struct DecodeLimits {
  size_t max_string = 2048;
  size_t max_array = 1000;
};

namespace json_codec_detail {

[[noreturn]] void fail(const std::string& path, const std::string& what);
Decimal decimal_from(const boost::json::value& v, const std::string& path);
boost::json::value decimal_to(const Decimal& d);
std::string child(const std::string& path, std::string_view key);

}  // namespace json_codec_detail

inline boost::json::value to_json(const std::string& s) { return boost::json::string(s); }
inline boost::json::value to_json(bool b) { return b; }
inline boost::json::value to_json(const Decimal& d) { return json_codec_detail::decimal_to(d); }
template <class T> boost::json::value to_json(const std::optional<T>& o);
template <class T> boost::json::value to_json(const std::vector<T>& v);
template <class T, class D = boost::describe::describe_members<T, boost::describe::mod_public>>
boost::json::value to_json(const T& t);

template <class T> boost::json::value to_json(const std::optional<T>& o) {
  return o ? to_json(*o) : boost::json::value(nullptr);
}
template <class T> boost::json::value to_json(const std::vector<T>& v) {
  boost::json::array a;
  a.reserve(v.size());
  for (auto& e : v) a.push_back(to_json(e));
  return a;
}
template <class T, class D>
boost::json::value to_json(const T& t) {
  boost::json::object o;
  boost::mp11::mp_for_each<D>([&](auto m) {
    auto&& field = t.*m.pointer;
    using F = std::decay_t<decltype(field)>;
    if constexpr (requires { field.has_value(); } && !std::is_same_v<F, std::string>) {
      if (!field) return;  // absent optionals are left out
    }
    o[camel_case(m.name)] = to_json(field);
  });
  return o;
}

void from_json(const boost::json::value& v, std::string& out, const std::string& path, const DecodeLimits& l);
void from_json(const boost::json::value& v, bool& out, const std::string& path, const DecodeLimits& l);
void from_json(const boost::json::value& v, Decimal& out, const std::string& path, const DecodeLimits& l);
template <class T>
void from_json(const boost::json::value& v, std::optional<T>& out, const std::string& path, const DecodeLimits& l);
template <class T>
void from_json(const boost::json::value& v, std::vector<T>& out, const std::string& path, const DecodeLimits& l);
template <class T, class D = boost::describe::describe_members<T, boost::describe::mod_public>>
void from_json(const boost::json::value& v, T& out, const std::string& path, const DecodeLimits& l);

template <class T>
void from_json(const boost::json::value& v, std::optional<T>& out, const std::string& path, const DecodeLimits& l) {
  if (v.is_null()) {
    out.reset();
    return;
  }
  T t{};
  from_json(v, t, path, l);
  out = std::move(t);
}

template <class T>
void from_json(const boost::json::value& v, std::vector<T>& out, const std::string& path, const DecodeLimits& l) {
  if (!v.is_array()) json_codec_detail::fail(path, "must be an array");
  auto& a = v.get_array();
  if (a.size() > l.max_array)
    json_codec_detail::fail(path, "must have at most " + std::to_string(l.max_array) + " elements");
  out.clear();
  out.reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    T t{};
    from_json(a[i], t, path + "[" + std::to_string(i) + "]", l);
    out.push_back(std::move(t));
  }
}

template <class T, class D>
void from_json(const boost::json::value& v, T& out, const std::string& path, const DecodeLimits& l) {
  if (!v.is_object() || exact_number_text(v)) json_codec_detail::fail(path, "must be an object");
  auto& o = v.get_object();
  size_t matched = 0;
  boost::mp11::mp_for_each<D>([&](auto m) {
    auto it = o.find(camel_case(m.name));
    if (it == o.end()) return;
    ++matched;
    from_json(it->value(), out.*m.pointer, json_codec_detail::child(path, it->key()), l);
  });
  if (matched != o.size()) {
    std::string unknown;
    for (auto& entry : o) {
      auto k = entry.key();  // not a structured binding: clang 14 cannot capture those
      bool known = false;
      boost::mp11::mp_for_each<D>([&](auto m) { known = known || camel_case(m.name) == k; });
      if (!known) unknown += (unknown.empty() ? "" : ", ") + json_codec_detail::child(path, k);
    }
    throw bad_request("Unknown field(s): " + unknown);
  }
}

// Decode a whole value, with its path prefix for messages ("" for the body itself).
template <class T>
T decode_json(const boost::json::value& v, const std::string& path = "", const DecodeLimits& l = {}) {
  T t{};
  from_json(v, t, path, l);
  return t;
}

}  // namespace k9
