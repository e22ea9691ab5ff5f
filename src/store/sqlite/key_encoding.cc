#include "store/sqlite/key_encoding.h"

#include "store/store.h"

namespace k9::store::sqlite {

namespace {

// Positive magnitude: 2-byte biased exponent of the leading digit, the significant digits,
// and a 0x00 terminator (digits are '0'..'9' > 0x00, so a shorter mantissa sorts first).
std::string encode_magnitude(const std::string& canonical_abs) {
  std::string digits;
  int point = -1, lead = -1;
  for (size_t i = 0; i < canonical_abs.size(); ++i) {
    char c = canonical_abs[i];
    if (c == '.') { point = static_cast<int>(digits.size()); continue; }
    if (lead < 0 && c != '0') lead = static_cast<int>(digits.size());
    digits.push_back(c);
  }
  if (point < 0) point = static_cast<int>(digits.size());
  // value = 0.d1d2... * 10^(point - lead) once leading zeros are dropped
  int exponent = point - lead;
  digits.erase(0, lead);
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  int biased = exponent + 1000;
  std::string out;
  out.push_back(static_cast<char>((biased >> 8) & 0xff));
  out.push_back(static_cast<char>(biased & 0xff));
  out += digits;
  out.push_back('\0');
  return out;
}

std::string encode_number(const std::string& n) {
  if (n == "0") return std::string(1, '\x01');
  if (n[0] == '-') {
    std::string m = encode_magnitude(n.substr(1));
    for (auto& c : m) c = static_cast<char>(~static_cast<unsigned char>(c));
    return std::string(1, '\x00') + m;
  }
  return std::string(1, '\x02') + encode_magnitude(n);
}

}  // namespace

std::string encode_key(const AttributeValue& v, AttrType t, const std::string& attribute) {
  if (v.type() != t)
    throw ValidationError(std::string("One or more parameter values were invalid: Type mismatch for key ") +
                          attribute + " expected: " + attr_type_name(t) + " actual: " + attr_type_name(v.type()));
  switch (t) {
    case AttrType::S:
      if (v.s().empty())
        throw ValidationError("One or more parameter values are not valid. The AttributeValue for a key attribute "
                              "cannot contain an empty string value. Key: " + attribute);
      return v.s();
    case AttrType::B:
      if (v.b().empty())
        throw ValidationError("One or more parameter values are not valid. The AttributeValue for a key attribute "
                              "cannot contain an empty binary value. Key: " + attribute);
      return v.b();
    case AttrType::N: return encode_number(v.n());
    default: throw ValidationError("key attributes must be S, N or B: " + attribute);
  }
}

std::string prefix_upper_bound(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char last = static_cast<unsigned char>(prefix.back());
    if (last != 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

}  // namespace k9::store::sqlite
