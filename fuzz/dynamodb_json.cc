// DynamoDB JSON items (the DynamoDB wire form): parse_item. Allowed outcome: an item, or
// std::invalid_argument. A parsed item survives both encodings unchanged: serialize_item ->
// parse_item, and the SQLite adapter's binary codec.
#include <stdexcept>

#include "fuzz_support.h"
#include "store/item_json.h"
#include "store/sqlite/item_codec.h"

using namespace k9::store;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Item item;
  try {
    item = parse_item(k9::fuzz::as_text(data, size));
  } catch (const std::invalid_argument&) {
    return 0;
  }
  std::string text = serialize_item(item);
  k9::fuzz::check(parse_item(text) == item, "serialize_item -> parse_item changed the item:", text);
  k9::fuzz::check(sqlite::decode_item(sqlite::encode_item(item)) == item, "the binary codec changed the item:", text);
  return 0;
}
