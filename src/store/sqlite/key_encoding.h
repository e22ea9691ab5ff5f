// Order-preserving byte encodings of key values, so that SQLite's memcmp order of BLOBs is
// DynamoDB's order: S by UTF-8 bytes, B by bytes, N by numeric value.
#pragma once
#include <string>

#include "store/item.h"

namespace k9::store::sqlite {

// Throws ValidationError when `v` is not of type `t`, or is an empty S/B.
std::string encode_key(const AttributeValue& v, AttrType t, const std::string& attribute);

// The smallest encoding greater than every encoding that starts with `prefix` (for
// begins_with on S and B keys); empty when none exists (prefix all 0xFF).
std::string prefix_upper_bound(std::string prefix);

}  // namespace k9::store::sqlite
