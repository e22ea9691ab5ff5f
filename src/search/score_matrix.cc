#include "search/score_matrix.h"

#include <algorithm>

namespace k9::search {

std::string_view score_name(Score s) {
  static constexpr std::array<std::string_view, kScoreCount> kNames = {
      "match",         "type",            "material",       "length",
      "width",         "thickness",       "color_primary",  "color_secondary",
      "color_tertiary", "pattern_primary", "pattern_secondary", "pattern_tertiary"};
  return kNames[size_t(s)];
}

std::string_view ScoreMatrix::product_id(size_t i) const {
  std::string_view padded(ids.data() + i * id_width, id_width);
  auto end = padded.find('\0');
  return end == std::string_view::npos ? padded : padded.substr(0, end);
}

size_t ScoreMatrix::find(std::string_view id) const {
  size_t lo = 0, hi = size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (product_id(mid) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < size() && product_id(lo) == id ? lo : size();
}

size_t ScoreMatrix::bytes() const {
  size_t n = sizeof(*this) + model_version.capacity() + reference_product_id.capacity() + ids.capacity();
  for (auto& c : columns) n += c.capacity() * sizeof(float);
  return n;
}

}  // namespace k9::search
