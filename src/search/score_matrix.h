// A similarity matrix: the scores (SPEC section 1) of every product of one catalog snapshot
// against one reference, as columns of float32 in the snapshot's product order (product id
// order). A missing score (an input absent on either side) is NaN. This is what the analysis
// writes to the blob store as .npz (search/npz.h), what the matrix cache holds and what search
// filters and sorts. No I/O here.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace k9::search {

enum class Score : uint8_t {
  match,
  type_type,
  type_material,
  shape_length,
  shape_width,
  shape_thickness,
  color_primary,
  color_secondary,
  color_tertiary,
  pattern_primary,
  pattern_secondary,
  pattern_tertiary,
};
inline constexpr size_t kScoreCount = 12;

// The .npz array name of a score: "match", "type", "material", "length", "width",
// "thickness", "color_primary", ..., "pattern_tertiary".
std::string_view score_name(Score s);

struct ScoreMatrix {
  std::string model_version;
  std::string reference_product_id;
  std::array<uint8_t, 16> snapshot_fingerprint{};  // of the snapshot it was scored against
  // Product ids, sorted ascending, each padded with '\0' to id_width bytes, concatenated
  // (a NumPy fixed-width bytes array, dtype |S<id_width>).
  size_t id_width = 0;
  std::string ids;
  std::array<std::vector<float>, kScoreCount> columns;

  size_t size() const { return id_width ? ids.size() / id_width : 0; }
  std::string_view product_id(size_t i) const;  // without its padding
  // Index of a product id (binary search), or size() when absent.
  size_t find(std::string_view product_id) const;
  const std::vector<float>& column(Score s) const { return columns[size_t(s)]; }
  std::vector<float>& column(Score s) { return columns[size_t(s)]; }
  // Heap bytes held (for the cache's budget).
  size_t bytes() const;
};

}  // namespace k9::search
