// The demo catalog's materials, drawn procedurally: a square sheet of material seen
// front-on under even white light, from a recipe (family, colours, feature size, seed).
#pragma once
#include <cstdint>
#include <opencv2/core.hpp>

namespace k9::catalog::demo {

enum class Family { wood_planks, marble, terrazzo, slate, brick, tile, stone, fabric, solid };
inline constexpr int kFamilies = 9;
const char* family_name(Family f);

struct Recipe {
  Family family = Family::solid;
  cv::Scalar base, accent, detail;  // BGR 0..255
  double scale = 1;                 // feature size multiplier (0.7 .. 1.4)
  double angle = 0;                 // main direction, degrees (grain, veins, weave)
  int variant = 0;                  // layout choice within the family (tile grid, plank width ...)
  uint64_t seed = 0;
};

// CV_8UC3 of side x side pixels.
cv::Mat render_material(const Recipe& r, int side);

}  // namespace k9::catalog::demo
