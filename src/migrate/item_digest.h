// An order-independent checksum of a table's items, to verify a copy: the count of items and
// the sum (mod 2^256) of the SHA-256 of each item's canonical encoding. Two tables holding
// the same items have the same digest whatever order they were read in; one item changed,
// added or missing changes it. The canonical encoding is the item's DynamoDB JSON with
// attributes and map keys in name order, sets in sorted order and numbers in the canonical
// decimal text of store/item.h (exact: "1.50" and "1.5" are the same number, 1.5 and
// 1.5000000000000000001 are not). No I/O here.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "store/item.h"

namespace k9::migrate {

std::string canonical_encoding(const store::Item& item);

class TableDigest {
 public:
  void add(const store::Item& item);
  // Adds the items `other` holds (the digest of a table read in parts is the merge of theirs).
  void merge(const TableDigest& other);
  uint64_t count() const { return count_; }
  // The sum as 64 hex digits (most significant first).
  std::string hex() const;
  friend bool operator==(const TableDigest& a, const TableDigest& b) = default;

 private:
  uint64_t count_ = 0;
  void add_sum(const std::array<uint64_t, 4>& value);
  std::array<uint64_t, 4> sum_{};  // little-endian limbs
};

}  // namespace k9::migrate
