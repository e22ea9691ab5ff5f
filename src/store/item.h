// Items: maps of typed attributes, exactly DynamoDB's data model (S, N, B, BOOL, NULL, M, L,
// SS, NS, BS). Numbers are kept as their decimal text, never as double. No I/O here.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace k9::store {

enum class AttrType { S, N, B, BOOL, NUL, M, L, SS, NS, BS };

// DynamoDB's type descriptor ("S", "N", ..., "NULL").
const char* attr_type_name(AttrType t);

class AttributeValue;
using Item = std::map<std::string, AttributeValue>;

class AttributeValue {
 public:
  using List = std::vector<AttributeValue>;
  using Map = std::map<std::string, AttributeValue>;
  using Set = std::vector<std::string>;  // kept sorted and unique

  AttributeValue() : type_(AttrType::NUL) {}
  static AttributeValue S(std::string v) { return AttributeValue(AttrType::S, std::move(v)); }
  // Throws std::invalid_argument unless `decimal` is a valid DynamoDB number (38 digits of
  // precision, exponent -130..125); the stored text is canonical (no leading zeros, no
  // trailing fraction zeros, no "+", "-0" -> "0").
  static AttributeValue N(std::string_view decimal);
  static AttributeValue N(long long v) { return AttributeValue(AttrType::N, std::to_string(v)); }
  static AttributeValue B(std::string bytes) { return AttributeValue(AttrType::B, std::move(bytes)); }
  static AttributeValue Bool(bool v) { AttributeValue a(AttrType::BOOL, {}); a.bool_ = v; return a; }
  static AttributeValue Null() { return AttributeValue(); }
  static AttributeValue M(Map m) { AttributeValue a(AttrType::M, {}); a.map_ = std::move(m); return a; }
  static AttributeValue L(List l) { AttributeValue a(AttrType::L, {}); a.list_ = std::move(l); return a; }
  static AttributeValue SS(Set s);
  static AttributeValue NS(Set s);  // canonicalises every number; throws like N()
  static AttributeValue BS(Set s);

  AttrType type() const { return type_; }
  bool is(AttrType t) const { return type_ == t; }

  // Accessors; calling one of the wrong type throws std::logic_error.
  const std::string& s() const;
  const std::string& n() const;
  const std::string& b() const;
  bool boolean() const;
  const Map& m() const;
  Map& m();
  const List& l() const;
  List& l();
  const Set& set() const;  // SS, NS or BS
  Set& set();

  // Returns nullptr when this is not a map or has no such key.
  const AttributeValue* find(const std::string& key) const;

  // Deep equality with DynamoDB's meaning: numbers compare by value, sets as sets.
  friend bool operator==(const AttributeValue& a, const AttributeValue& b);
  friend bool operator!=(const AttributeValue& a, const AttributeValue& b) { return !(a == b); }

  // Approximate encoded size in bytes, as DynamoDB counts item sizes.
  size_t byte_size() const;

 private:
  AttributeValue(AttrType t, std::string scalar) : type_(t), scalar_(std::move(scalar)) {}
  AttrType type_;
  std::string scalar_;  // S, N, B
  bool bool_ = false;
  Map map_;
  List list_;
  Set set_;
};

size_t item_byte_size(const Item& item);

}  // namespace k9::store

namespace k9::store {
// Decimal arithmetic on canonical N strings, exact to DynamoDB's 38 digits.
int compare_numbers(const std::string& a, const std::string& b);  // -1, 0, 1
std::string add_numbers(const std::string& a, const std::string& b);  // throws std::invalid_argument on overflow
std::string negate_number(const std::string& a);
}  // namespace k9::store
