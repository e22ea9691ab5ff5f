#include "repo/item_codec.h"

#include "core/decimal.h"

namespace k9::repo {

void from_attr(const AttributeValue& v, std::string& out, const char* name) {
  if (v.type() == store::AttrType::S) {
    out = v.s();
  } else if (v.type() == store::AttrType::N) {
    out = v.n();
  } else {
    throw std::invalid_argument(std::string(name) + " is not a string");
  }
}

void from_attr(const AttributeValue& v, bool& out, const char* name) {
  if (v.type() != store::AttrType::BOOL) throw std::invalid_argument(std::string(name) + " is not a boolean");
  out = v.boolean();
}

void from_attr(const AttributeValue& v, Decimal& out, const char* name) {
  if (v.type() == store::AttrType::N) {
    out.text = v.n();
  } else if (v.type() == store::AttrType::S) {
    out.text = canonical_decimal(v.s());
  } else {
    throw std::invalid_argument(std::string(name) + " is not a number");
  }
}

}  // namespace k9::repo
