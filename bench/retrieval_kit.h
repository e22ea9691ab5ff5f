// What the retrieval-quality benchmarks share (vision_quality.cc on the demo catalog,
// vision_real.cc on real textures): the plain colour-histogram baseline, ranks and recalls.
#pragma once
#include <algorithm>
#include <cstddef>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "codec/codec.h"

namespace k9::bench {

// A plain RGB colour histogram (8x8x8 bins, sums to 1) of a JPEG's pixels, or of those that a
// mask (an 8-bit grey PNG of the same size) marks non-zero.
inline std::vector<float> colour_histogram(const std::string& jpeg, const std::optional<std::string>& mask_png) {
  cv::Mat m = codec::decode_jpeg(jpeg).pixels;
  cv::Mat mask;
  if (mask_png) mask = codec::decode_png(*mask_png).pixels;
  std::vector<float> h(512, 0.f);
  double n = 0;
  for (int y = 0; y < m.rows; ++y)
    for (int x = 0; x < m.cols; ++x) {
      if (!mask.empty() && !mask.at<uchar>(y, x)) continue;
      auto p = m.at<cv::Vec3b>(y, x);
      h[(p[2] / 32) * 64 + (p[1] / 32) * 8 + p[0] / 32] += 1;
      n += 1;
    }
  for (auto& v : h) v = float(v / n);
  return h;
}

// Histogram intersection: 1 for equal histograms, 0 for disjoint ones.
inline double intersection(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += std::min(a[i], b[i]);
  return s;
}

// Rank (0 = first) of `truth` when products are sorted by descending score (ties in its favour).
inline size_t rank_of(const std::vector<double>& scores, size_t truth) {
  size_t r = 0;
  for (size_t i = 0; i < scores.size(); ++i) r += i != truth && scores[i] > scores[truth];
  return r;
}

struct Recall {
  size_t at1 = 0, at10 = 0, n = 0;
  void add(size_t rank) { at1 += rank < 1, at10 += rank < 10, ++n; }
  double r1() const { return n ? double(at1) / n : 0; }
  double r10() const { return n ? double(at10) / n : 0; }
};

}  // namespace k9::bench
