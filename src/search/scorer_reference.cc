#include "search/scorer_reference.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "catalog/snapshot/writer.h"

namespace k9::search::scoring {

namespace snap = catalog::snapshot;
using namespace k9::vision;

Prepared prepare(std::span<const float> v) {
  Prepared p{};
  auto pos = [](float x) { return std::isfinite(x) ? std::max(0.f, x) : 0.f; };
  for (size_t i = 0; i < kLevels; ++i) {
    double sum = 0;
    for (size_t k = 0; k < kLbpBins; ++k) {
      float h = pos(v[kLbpOffset + i * kLbpBins + k]);
      p.lbp[i][k] = std::sqrt(h), sum += h;
    }
    p.lbp_inv[i] = sum > 0 ? float(1 / std::sqrt(sum)) : 0;
  }
  double osum = 0;
  for (size_t m = 0; m < kOrientBins; ++m) osum += pos(v[kOrientOffset + m]);
  for (size_t k = 0; k < kOrientBins; ++k)
    for (size_t m = 0; m < kOrientBins; ++m)
      p.orient[k][m] = std::sqrt(pos(v[kOrientOffset + (m + kOrientBins - k) % kOrientBins]));
  p.orient_inv = osum > 0 ? float(1 / std::sqrt(osum)) : 0;
  for (size_t i = 0; i < kLevels; ++i) p.spectrum[i] = std::sqrt(pos(v[kSpectrumOffset + i]));
  for (int s = -2; s <= 2; ++s) {
    double sum = 0;
    for (int i = 0; i < int(kLevels); ++i)
      if (i + s >= 0 && i + s < int(kLevels)) sum += pos(v[kSpectrumOffset + i]);
    p.spectrum_sum[s + 2] = float(sum);
  }
  for (size_t i = 0; i < kColours; ++i) p.share[i] = v[kColourOffset + i * kColourStride + 3];
  // Integer weights: each histogram's square roots scaled so that the largest is 32767.
  auto scale_of = [](const float* w, size_t count) {
    float top = 0;
    for (size_t k = 0; k < count; ++k) top = std::max(top, w[k]);
    return top > 0 ? 32767 / top : 1.f;
  };
  auto pair = [](float a, float b, float scale) {
    return int32_t(uint32_t(uint16_t(std::lround(a * scale))) | uint32_t(uint16_t(std::lround(b * scale))) << 16);
  };
  const float lbp_scale = scale_of(&p.lbp[0][0], kLevels * kLbpBins);
  for (size_t i = 0; i < kLevels; ++i) {
    for (size_t k = 0; k < kLbpBins / 2; ++k) p.lbp_pairs[i][k] = pair(p.lbp[i][2 * k], p.lbp[i][2 * k + 1], lbp_scale);
    p.lbp_inv_int[i] = p.lbp_inv[i] / lbp_scale;
  }
  const float orient_scale = scale_of(&p.orient[0][0], kOrientBins * kOrientBins);
  for (size_t k = 0; k < kOrientBins; ++k)
    for (size_t m = 0; m < kOrientBins / 2; ++m)
      p.orient_pairs[k][m] = pair(p.orient[k][2 * m], p.orient[k][2 * m + 1], orient_scale);
  p.orient_inv_int = p.orient_inv / orient_scale;
  return p;
}

uint32_t reference_term(const snap::Snapshot& s, const std::optional<std::string>& value) {
  if (!value) return 0;
  std::string n = snap::normalised_term(*value);
  if (n.empty()) return 0;
  for (size_t t = 1; t <= s.term_count(); ++t)
    if (s.term(uint16_t(t)) == n) return uint32_t(t);
  return UINT32_MAX;
}

ReferenceDimension reference_dimension(const std::optional<Dimension>& d) {
  if (!d) return {};
  double v = std::strtod(d->val.text.c_str(), nullptr);
  if (!std::isfinite(v) || v <= 0) return {};
  return {float(d->unit == "in" ? v * 25.4 : v), d->unit == "none"};
}

}  // namespace k9::search::scoring
