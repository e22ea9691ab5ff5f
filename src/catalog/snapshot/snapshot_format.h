// The packed catalog snapshot's file layout (one file per model version): everything that
// scoring a reference against the whole catalog reads, memory-mapped, no parsing.
//
// Format version 2 holds the vectors QUANTISED (not as float32; the floats stay in the
// embeddings table), laid out for SIMD scoring (search/scorer.h):
//
//   offset 0    Header (256 bytes)
//   256         ProductRecord[product_count] (112 bytes each)
//   terms       StringRef[term_count]: the distinct normalised (trimmed, lower-case) category
//               type and material values; a record's type_term / material_term is 1 + an
//               index into it, 0 when absent or empty
//   strings     the string blob (UTF-8, not terminated), referenced by (offset, length)
//   palette     PaletteEntry[palette_count], 64-byte aligned: the snapshot's CIELAB palette
//   blocks      VectorBlock[ceil(vector_count / 16)], 64-byte aligned: vector v is lane
//               v % 16 of block v / 16. Each product's vectors (one per analysed photo) are
//               consecutive, from its first_vector on.
// All integers and floats are little-endian; absent numbers are NaN, absent strings empty.
//
// Quantisation of one k9-classic-1 vector (vision/features.h) into a lane:
//  - each dominant colour: the code of its nearest palette entry (uint16) and its share
//    as round(share * 255);
//  - each histogram bin h (LBP, orientation, spectrum): round(sqrt(h) * 255), so that a
//    Bhattacharyya coefficient is a dot product of bytes.
// The palette is per snapshot (writer.h): the centroids of the occupied cells of a grid on
// (L*/2, a*, b*) whose step is the finest that keeps at most kMaxPalette cells.
#pragma once
#include <cstdint>

namespace k9::catalog::snapshot {

inline constexpr char kMagic[8] = {'K', '9', 'S', 'N', 'A', 'P', '\0', '\1'};
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr uint32_t kLanes = 16;
inline constexpr uint32_t kMaxPalette = 16384;

struct StringRef {
  uint32_t offset = 0, length = 0;  // into the string blob
};

struct Header {
  char magic[8];
  uint32_t format_version;
  uint32_t dimension;  // of the float vectors that were quantised (vision::kDimension)
  uint32_t product_count;
  uint32_t vector_count;
  uint64_t strings_offset;
  uint64_t strings_size;
  uint64_t vectors_offset;  // the first VectorBlock
  uint64_t file_size;
  uint8_t fingerprint[16];  // of the catalog it was built from (see builder.h)
  char model_version[56];   // zero-padded
  // version 2
  uint64_t palette_offset;
  uint32_t palette_count;
  uint32_t block_size;  // sizeof(VectorBlock)
  uint64_t terms_offset;
  uint32_t term_count;
  uint32_t max_id_length;  // the longest product id, in bytes
  uint8_t reserved[96];
};
static_assert(sizeof(Header) == 256);

// Bits of ProductRecord::unitless: the dimension's unit is "none" (compares only with "none").
inline constexpr uint8_t kLengthUnitless = 1, kWidthUnitless = 2, kThicknessUnitless = 4;

struct ProductRecord {
  StringRef id, brand, type, material, look, texture, finish, edge;
  uint32_t first_vector, vector_count;
  float price_min, price_max;               // usd, over every vendor of every format
  float length_mm, width_mm, thickness_mm;  // of the first format ("in" converted to mm)
  uint16_t type_term, material_term;        // see above
  uint8_t unitless;                         // kLengthUnitless | ...
  int8_t display_colour[3][2];              // round(a*), round(b*) of each colour (display.h)
  uint8_t display_pattern[3][2];            // round(x * 255) of each pattern projection
  uint8_t reserved[3];
};
static_assert(sizeof(ProductRecord) == 112);

struct PaletteEntry {
  float l, a, b, reserved;
};
static_assert(sizeof(PaletteEntry) == 16);

struct VectorBlock {
  uint16_t colour[3][kLanes];   // palette codes
  uint8_t share[3][kLanes];     // round(share * 255)
  uint8_t lbp[60][kLanes];      // level-major, round(sqrt(h) * 255)
  uint8_t orient[12][kLanes];
  uint8_t spectrum[6][kLanes];
  uint8_t reserved[kLanes];
};
static_assert(sizeof(VectorBlock) == 1408 && sizeof(VectorBlock) % 64 == 0);

}  // namespace k9::catalog::snapshot
