#include "migrate/item_digest.h"

#include <sodium.h>

#include "core/encoding.h"
#include "store/item_json.h"

namespace k9::migrate {

std::string canonical_encoding(const store::Item& item) {
  // Items are ordered maps, sets are kept sorted and numbers canonical (store/item.h), so the
  // DynamoDB JSON of an item is already canonical.
  return store::serialize_item(item);
}

void TableDigest::add(const store::Item& item) {
  std::string text = canonical_encoding(item);
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  // The hash as a 256-bit big-endian number, added to the sum limb by limb with carry.
  unsigned __int128 carry = 0;
  for (int limb = 0; limb < 4; ++limb) {
    uint64_t v = 0;
    for (int b = 0; b < 8; ++b) v = (v << 8) | h[31 - limb * 8 - (7 - b)];
    unsigned __int128 s = static_cast<unsigned __int128>(sum_[limb]) + v + carry;
    sum_[limb] = static_cast<uint64_t>(s);
    carry = s >> 64;
  }
  ++count_;
}

std::string TableDigest::hex() const {
  std::string bytes;
  for (int limb = 3; limb >= 0; --limb)
    for (int b = 7; b >= 0; --b) bytes.push_back(static_cast<char>((sum_[limb] >> (8 * b)) & 0xff));
  return hex_encode(bytes);
}

}  // namespace k9::migrate
