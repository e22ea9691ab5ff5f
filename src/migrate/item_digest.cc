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

void TableDigest::add_sum(const std::array<uint64_t, 4>& value) {
  unsigned __int128 carry = 0;
  for (int limb = 0; limb < 4; ++limb) {
    unsigned __int128 s = static_cast<unsigned __int128>(sum_[limb]) + value[limb] + carry;
    sum_[limb] = static_cast<uint64_t>(s);
    carry = s >> 64;
  }
}

void TableDigest::add(const store::Item& item) {
  std::string text = canonical_encoding(item);
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  // The hash as a 256-bit big-endian number, in little-endian limbs.
  std::array<uint64_t, 4> value{};
  for (int limb = 0; limb < 4; ++limb)
    for (int b = 0; b < 8; ++b) value[limb] = (value[limb] << 8) | h[31 - limb * 8 - (7 - b)];
  add_sum(value);
  ++count_;
}

void TableDigest::merge(const TableDigest& other) {
  add_sum(other.sum_);
  count_ += other.count_;
}

std::string TableDigest::hex() const {
  std::string bytes;
  for (int limb = 3; limb >= 0; --limb)
    for (int b = 7; b >= 0; --b) bytes.push_back(static_cast<char>((sum_[limb] >> (8 * b)) & 0xff));
  return hex_encode(bytes);
}

}  // namespace k9::migrate
