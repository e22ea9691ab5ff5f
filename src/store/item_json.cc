#include "store/item_json.h"

#include <stdexcept>

#include "core/encoding.h"

namespace k9::store {

namespace json = boost::json;

namespace {
json::array set_json(const AttributeValue::Set& s, bool binary) {
  json::array a;
  a.reserve(s.size());
  for (auto& e : s) a.emplace_back(binary ? base64_encode(e) : e);
  return a;
}

AttributeValue::Set set_from(const json::value& v, bool binary) {
  if (!v.is_array()) throw std::invalid_argument("set must be an array");
  AttributeValue::Set s;
  for (auto& e : v.as_array()) {
    if (!e.is_string()) throw std::invalid_argument("set element must be a string");
    if (binary) {
      auto d = base64_decode(e.as_string());
      if (!d) throw std::invalid_argument("invalid base64 in BS");
      s.push_back(*d);
    } else {
      s.emplace_back(e.as_string());
    }
  }
  if (s.empty()) throw std::invalid_argument("a set cannot be empty");
  return s;
}

const json::string& as_str(const json::value& v, const char* what) {
  if (!v.is_string()) throw std::invalid_argument(std::string(what) + " must be a string");
  return v.as_string();
}
}  // namespace

json::value to_dynamo_json(const AttributeValue& v) {
  json::object o;
  switch (v.type()) {
    case AttrType::S: o["S"] = v.s(); break;
    case AttrType::N: o["N"] = v.n(); break;
    case AttrType::B: o["B"] = base64_encode(v.b()); break;
    case AttrType::BOOL: o["BOOL"] = v.boolean(); break;
    case AttrType::NUL: o["NULL"] = true; break;
    case AttrType::M: o["M"] = to_dynamo_json(v.m()); break;
    case AttrType::L: {
      json::array a;
      a.reserve(v.l().size());
      for (auto& e : v.l()) a.push_back(to_dynamo_json(e));
      o["L"] = std::move(a);
      break;
    }
    case AttrType::SS: o["SS"] = set_json(v.set(), false); break;
    case AttrType::NS: o["NS"] = set_json(v.set(), false); break;
    case AttrType::BS: o["BS"] = set_json(v.set(), true); break;
  }
  return o;
}

json::object to_dynamo_json(const Item& item) {
  json::object o;
  o.reserve(item.size());
  for (auto& [k, v] : item) o[k] = to_dynamo_json(v);
  return o;
}

std::string serialize_item(const Item& item) { return json::serialize(to_dynamo_json(item)); }

AttributeValue attribute_from_dynamo_json(const json::value& v) {
  if (!v.is_object() || v.as_object().size() != 1)
    throw std::invalid_argument("an attribute value is an object with exactly one type key");
  auto& [type, val] = *v.as_object().begin();
  if (type == "S") return AttributeValue::S(std::string(as_str(val, "S")));
  if (type == "N") return AttributeValue::N(as_str(val, "N"));
  if (type == "B") {
    auto d = base64_decode(as_str(val, "B"));
    if (!d) throw std::invalid_argument("invalid base64 in B");
    return AttributeValue::B(*d);
  }
  if (type == "BOOL") {
    if (!val.is_bool()) throw std::invalid_argument("BOOL must be a boolean");
    return AttributeValue::Bool(val.as_bool());
  }
  if (type == "NULL") {
    if (!val.is_bool() || !val.as_bool()) throw std::invalid_argument("NULL must be true");
    return AttributeValue::Null();
  }
  if (type == "M") {
    if (!val.is_object()) throw std::invalid_argument("M must be an object");
    return AttributeValue::M(item_from_dynamo_json(val.as_object()));
  }
  if (type == "L") {
    if (!val.is_array()) throw std::invalid_argument("L must be an array");
    AttributeValue::List l;
    l.reserve(val.as_array().size());
    for (auto& e : val.as_array()) l.push_back(attribute_from_dynamo_json(e));
    return AttributeValue::L(std::move(l));
  }
  if (type == "SS") return AttributeValue::SS(set_from(val, false));
  if (type == "NS") return AttributeValue::NS(set_from(val, false));
  if (type == "BS") return AttributeValue::BS(set_from(val, true));
  throw std::invalid_argument("unknown attribute type " + std::string(type));
}

Item item_from_dynamo_json(const json::object& o) {
  Item item;
  for (auto& [k, v] : o) item.emplace(std::string(k), attribute_from_dynamo_json(v));
  return item;
}

Item parse_item(std::string_view text) {
  // The parsed tree is temporary: give it one arena instead of a malloc per node.
  unsigned char buffer[8192];
  json::monotonic_resource arena(buffer, sizeof buffer);
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, &arena);
  if (ec || !v.is_object()) throw std::invalid_argument("item JSON is not an object");
  return item_from_dynamo_json(v.as_object());
}

}  // namespace k9::store
