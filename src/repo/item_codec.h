// Domain structs <-> store items, derived from their Boost.Describe descriptions: strings
// are S, bools BOOL, decimals N (exact), vectors L, structs M, absent optionals are left
// out. Attribute names are the member names (snake_case), as the Python generation wrote
// them. Reading is lenient where boto3 was: a missing attribute keeps the default, NULL
// reads as absent, and a number may arrive as N or as a numeric S.
#pragma once
#include <boost/describe.hpp>
#include <boost/mp11.hpp>
#include <stdexcept>

#include "core/domain.h"
#include "store/item.h"

namespace k9::repo {

using store::AttributeValue;
using store::Item;

inline AttributeValue to_attr(const std::string& s) { return AttributeValue::S(s); }
inline AttributeValue to_attr(bool b) { return AttributeValue::Bool(b); }
inline AttributeValue to_attr(const Decimal& d) { return AttributeValue::N(d.text); }
template <class T> AttributeValue to_attr(const std::vector<T>& v);
template <class T, class D = boost::describe::describe_members<T, boost::describe::mod_public>>
AttributeValue to_attr(const T& t);

template <class T, class D = boost::describe::describe_members<T, boost::describe::mod_public>>
Item to_item(const T& t) {
  Item item;
  boost::mp11::mp_for_each<D>([&](auto m) {
    auto&& field = t.*m.pointer;
    using F = std::decay_t<decltype(field)>;
    if constexpr (requires { field.has_value(); } && !std::is_same_v<F, std::string>) {
      if (field) item.emplace(m.name, to_attr(*field));
    } else {
      item.emplace(m.name, to_attr(field));
    }
  });
  return item;
}

template <class T> AttributeValue to_attr(const std::vector<T>& v) {
  AttributeValue::List l;
  l.reserve(v.size());
  for (auto& e : v) l.push_back(to_attr(e));
  return AttributeValue::L(std::move(l));
}
template <class T, class D> AttributeValue to_attr(const T& t) { return AttributeValue::M(to_item(t)); }

// Reading throws std::invalid_argument naming the attribute when a value has a type that
// cannot be read as the member's type.
void from_attr(const AttributeValue& v, std::string& out, const char* name);
void from_attr(const AttributeValue& v, bool& out, const char* name);
void from_attr(const AttributeValue& v, Decimal& out, const char* name);
template <class T> void from_attr(const AttributeValue& v, std::optional<T>& out, const char* name);
template <class T> void from_attr(const AttributeValue& v, std::vector<T>& out, const char* name);
template <class T, class D = boost::describe::describe_members<T, boost::describe::mod_public>>
void from_attr(const AttributeValue& v, T& out, const char* name);

template <class T, class D = boost::describe::describe_members<T, boost::describe::mod_public>>
void from_item(const Item& item, T& out) {
  boost::mp11::mp_for_each<D>([&](auto m) {
    auto it = item.find(m.name);
    if (it == item.end() || it->second.type() == store::AttrType::NUL) return;
    from_attr(it->second, out.*m.pointer, m.name);
  });
}

template <class T> void from_attr(const AttributeValue& v, std::optional<T>& out, const char* name) {
  if (v.type() == store::AttrType::NUL) {
    out.reset();
    return;
  }
  T t{};
  from_attr(v, t, name);
  out = std::move(t);
}
template <class T> void from_attr(const AttributeValue& v, std::vector<T>& out, const char* name) {
  out.clear();
  if constexpr (std::is_same_v<T, std::string>) {
    if (v.type() == store::AttrType::SS) {
      out = v.set();
      return;
    }
  }
  if (v.type() != store::AttrType::L) throw std::invalid_argument(std::string(name) + " is not a list");
  for (auto& e : v.l()) {
    T t{};
    from_attr(e, t, name);
    out.push_back(std::move(t));
  }
}
template <class T, class D> void from_attr(const AttributeValue& v, T& out, const char* name) {
  if (v.type() != store::AttrType::M) throw std::invalid_argument(std::string(name) + " is not a map");
  from_item(v.m(), out);
}

}  // namespace k9::repo
