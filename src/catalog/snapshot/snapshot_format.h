// The packed catalog snapshot's file layout (one file per model version): everything that
// scoring a reference against the whole catalog reads, memory-mapped, no parsing.
//
//   offset 0    Header (128 bytes)
//   128         ProductRecord[product_count] (96 bytes each)
//   strings     the string blob (UTF-8, not terminated), referenced by (offset, length)
//   vectors     float32[vector_count * dimension], 64-byte aligned: each product's vectors
//               (one per analysed photo) are contiguous, from its first_vector on
// All integers and floats are little-endian; absent numbers are NaN, absent strings empty.
#pragma once
#include <cstdint>

namespace k9::catalog::snapshot {

inline constexpr char kMagic[8] = {'K', '9', 'S', 'N', 'A', 'P', '\0', '\1'};
inline constexpr uint32_t kFormatVersion = 1;

struct StringRef {
  uint32_t offset = 0, length = 0;  // into the string blob
};

struct Header {
  char magic[8];
  uint32_t format_version;
  uint32_t dimension;
  uint32_t product_count;
  uint32_t vector_count;
  uint64_t strings_offset;
  uint64_t strings_size;
  uint64_t vectors_offset;
  uint64_t file_size;
  uint8_t fingerprint[16];  // of the catalog it was built from (see builder.h)
  char model_version[56];   // zero-padded
};
static_assert(sizeof(Header) == 128);

struct ProductRecord {
  StringRef id, brand, type, material, look, texture, finish, edge;
  uint32_t first_vector, vector_count;
  float price_min, price_max;              // usd, over every vendor of every format
  float length_mm, width_mm, thickness_mm; // of the first format
  uint32_t reserved;
};
static_assert(sizeof(ProductRecord) == 96);

}  // namespace k9::catalog::snapshot
