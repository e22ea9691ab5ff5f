#include "store/item.h"

#include "core/decimal.h"

#include <algorithm>
#include <stdexcept>

namespace k9::store {

namespace {

void canonical_set(AttributeValue::Set& s) {
  std::sort(s.begin(), s.end());
  s.erase(std::unique(s.begin(), s.end()), s.end());
}

}  // namespace

const char* attr_type_name(AttrType t) {
  switch (t) {
    case AttrType::S: return "S";
    case AttrType::N: return "N";
    case AttrType::B: return "B";
    case AttrType::BOOL: return "BOOL";
    case AttrType::NUL: return "NULL";
    case AttrType::M: return "M";
    case AttrType::L: return "L";
    case AttrType::SS: return "SS";
    case AttrType::NS: return "NS";
    case AttrType::BS: return "BS";
  }
  return "?";
}

AttributeValue AttributeValue::N(std::string_view decimal) {
  return AttributeValue(AttrType::N, canonical_decimal(decimal));
}

AttributeValue AttributeValue::SS(Set s) {
  AttributeValue a(AttrType::SS, {});
  canonical_set(s);
  a.set_ = std::move(s);
  return a;
}

AttributeValue AttributeValue::NS(Set s) {
  AttributeValue a(AttrType::NS, {});
  for (auto& n : s) n = AttributeValue::N(n).n();
  canonical_set(s);
  a.set_ = std::move(s);
  return a;
}

AttributeValue AttributeValue::BS(Set s) {
  AttributeValue a(AttrType::BS, {});
  canonical_set(s);
  a.set_ = std::move(s);
  return a;
}

namespace {
[[noreturn]] void wrong_type(AttrType have, const char* want) {
  throw std::logic_error(std::string("attribute is ") + attr_type_name(have) + ", not " + want);
}
}  // namespace

const std::string& AttributeValue::s() const { if (type_ != AttrType::S) wrong_type(type_, "S"); return scalar_; }
const std::string& AttributeValue::n() const { if (type_ != AttrType::N) wrong_type(type_, "N"); return scalar_; }
const std::string& AttributeValue::b() const { if (type_ != AttrType::B) wrong_type(type_, "B"); return scalar_; }
bool AttributeValue::boolean() const { if (type_ != AttrType::BOOL) wrong_type(type_, "BOOL"); return bool_; }
const AttributeValue::Map& AttributeValue::m() const { if (type_ != AttrType::M) wrong_type(type_, "M"); return map_; }
AttributeValue::Map& AttributeValue::m() { if (type_ != AttrType::M) wrong_type(type_, "M"); return map_; }
const AttributeValue::List& AttributeValue::l() const { if (type_ != AttrType::L) wrong_type(type_, "L"); return list_; }
AttributeValue::List& AttributeValue::l() { if (type_ != AttrType::L) wrong_type(type_, "L"); return list_; }
const AttributeValue::Set& AttributeValue::set() const {
  if (type_ != AttrType::SS && type_ != AttrType::NS && type_ != AttrType::BS) wrong_type(type_, "a set");
  return set_;
}
AttributeValue::Set& AttributeValue::set() {
  if (type_ != AttrType::SS && type_ != AttrType::NS && type_ != AttrType::BS) wrong_type(type_, "a set");
  return set_;
}

const AttributeValue* AttributeValue::find(const std::string& key) const {
  if (type_ != AttrType::M) return nullptr;
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : &it->second;
}

bool operator==(const AttributeValue& a, const AttributeValue& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case AttrType::S:
    case AttrType::N:  // canonical text: equal text <=> equal value
    case AttrType::B: return a.scalar_ == b.scalar_;
    case AttrType::BOOL: return a.bool_ == b.bool_;
    case AttrType::NUL: return true;
    case AttrType::M: return a.map_ == b.map_;
    case AttrType::L: return a.list_ == b.list_;
    case AttrType::SS:
    case AttrType::NS:
    case AttrType::BS: return a.set_ == b.set_;
  }
  return false;
}

size_t AttributeValue::byte_size() const {
  switch (type_) {
    case AttrType::S:
    case AttrType::B: return scalar_.size();
    case AttrType::N: return (scalar_.size() + 1) / 2 + 1;
    case AttrType::BOOL:
    case AttrType::NUL: return 1;
    case AttrType::M: {
      size_t n = 3;
      for (auto& [k, v] : map_) n += k.size() + v.byte_size() + 1;
      return n;
    }
    case AttrType::L: {
      size_t n = 3;
      for (auto& v : list_) n += v.byte_size() + 1;
      return n;
    }
    case AttrType::SS:
    case AttrType::NS:
    case AttrType::BS: {
      size_t n = 0;
      for (auto& v : set_) n += v.size();
      return n;
    }
  }
  return 0;
}

size_t item_byte_size(const Item& item) {
  size_t n = 0;
  for (auto& [k, v] : item) n += k.size() + v.byte_size();
  return n;
}

int compare_numbers(const std::string& a, const std::string& b) { return compare_decimals(a, b); }
std::string add_numbers(const std::string& a, const std::string& b) { return add_decimals(a, b); }
std::string negate_number(const std::string& a) { return negate_decimal(a); }

}  // namespace k9::store
