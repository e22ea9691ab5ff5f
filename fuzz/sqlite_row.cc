// The SQLite adapter's stored rows (binary item codec) as a corrupt or hostile file would hold
// them. Allowed outcome: an item, or StoreError; a decoded item re-encodes to an equal item.
#include "fuzz_support.h"
#include "store/sqlite/item_codec.h"
#include "store/store.h"

using namespace k9::store;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Item item;
  try {
    item = sqlite::decode_item(k9::fuzz::as_text(data, size));
  } catch (const StoreError&) {
    return 0;
  }
  k9::fuzz::check(sqlite::decode_item(sqlite::encode_item(item)) == item, "encode -> decode changed the item");
  return 0;
}
