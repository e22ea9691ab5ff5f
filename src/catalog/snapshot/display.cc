#include "catalog/snapshot/display.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "vision/features.h"

namespace k9::catalog::snapshot {

using namespace k9::vision;

Display display_of(std::span<const float> v) {
  Display d{};
  if (v.size() < kDimension) return d;
  for (size_t k = 0; k < kColours; ++k) {
    d.colour[k][0] = v[kColourOffset + k * kColourStride + 1];
    d.colour[k][1] = v[kColourOffset + k * kColourStride + 2];
  }
  auto unit = [](double x) { return float(std::clamp(std::isfinite(x) ? x : 0.0, 0.0, 1.0)); };
  // LBP: coarseness and uniformity.
  double edge_sum = 0, edge_level = 0, non_uniform = 0;
  for (size_t l = 0; l < kLevels; ++l) {
    const float* h = v.data() + kLbpOffset + l * kLbpBins;
    double e = 0;
    for (size_t b = 2; b <= 6; ++b) e += std::max(0.f, h[b]);
    edge_sum += e, edge_level += e * double(l);
    non_uniform += std::max(0.f, h[kLbpBins - 1]);
  }
  d.pattern[0][0] = unit(edge_sum > 0 ? edge_level / edge_sum / double(kLevels - 1) : 0);
  d.pattern[0][1] = unit(1 - non_uniform / double(kLevels));
  // Orientation: doubled-angle mean vector.
  double x = 0, y = 0, sum = 0;
  for (size_t k = 0; k < kOrientBins; ++k) {
    double h = std::max(0.f, v[kOrientOffset + k]);
    double theta = (double(k) + 0.5) * std::numbers::pi / double(kOrientBins);
    x += h * std::cos(2 * theta), y += h * std::sin(2 * theta), sum += h;
  }
  double angle = std::atan2(y, x) / 2;  // (-pi/2, pi/2]
  if (angle < 0) angle += std::numbers::pi;
  d.pattern[1][0] = unit(sum > 0 ? std::hypot(x, y) / sum : 0);
  d.pattern[1][1] = sum > 0 && std::hypot(x, y) > 0 ? unit(angle / std::numbers::pi) : 0.f;
  if (d.pattern[1][1] >= 1) d.pattern[1][1] = 0;
  // Spectrum: centroid and spread.
  double m = 0, s = 0;
  for (size_t l = 0; l < kLevels; ++l) {
    double h = std::max(0.f, v[kSpectrumOffset + l]);
    m += h * double(l), s += h;
  }
  double centroid = s > 0 ? m / s : 0, var = 0;
  for (size_t l = 0; l < kLevels; ++l)
    var += std::max(0.f, v[kSpectrumOffset + l]) * (double(l) - centroid) * (double(l) - centroid);
  d.pattern[2][0] = unit(centroid / double(kLevels - 1));
  d.pattern[2][1] = unit(s > 0 ? std::sqrt(var / s) / (double(kLevels - 1) / 2) : 0);
  return d;
}

}  // namespace k9::catalog::snapshot
