// Test support (header-only): an item holding every attribute type, for the round trips of
// each item format (store/item_json.h, store/sqlite/item_codec.h): non-ASCII text, a 38-digit
// negative number, bytes with NUL and high bits, a map, a list and the three kinds of set.
#pragma once
#include <string>

#include "store/store.h"

namespace k9::store::testing {

inline Item item_of_every_type() {
  using AV = AttributeValue;
  return {{"s", AV::S("héllo")},
          {"n", AV::N("-12345678901234567890.123456789012345678")},
          {"b", AV::B(std::string("\0\x80\xff", 3))},
          {"t", AV::Bool(true)},
          {"z", AV::Null()},
          {"m", AV::M({{"k", AV::N("1")}})},
          {"l", AV::L({AV::S("a"), AV::Bool(false)})},
          {"ss", AV::SS({"x", "y"})},
          {"ns", AV::NS({"2", "1.50"})},
          {"bs", AV::BS({std::string("\0", 1), "q"})}};
}

}  // namespace k9::store::testing
