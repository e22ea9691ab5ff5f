#include "vision/pattern.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>

#include "vision/features.h"

namespace k9::vision {

namespace {

// riu2 code of an 8-bit circular pattern: the number of set bits when it has at most two
// 0/1 transitions, else 9.
constexpr std::array<uint8_t, 256> riu2_table() {
  std::array<uint8_t, 256> t{};
  for (int v = 0; v < 256; ++v) {
    int rotated = ((v >> 1) | ((v & 1) << 7)) & 0xFF;
    int transitions = std::popcount(unsigned(v ^ rotated));
    t[v] = transitions <= 2 ? uint8_t(std::popcount(unsigned(v))) : 9;
  }
  return t;
}

void lbp_histogram(const cv::Mat& g, const cv::Mat& valid, float threshold, float* hist) {
  static constexpr auto table = riu2_table();
  std::array<double, kLbpBins> h{};
  double total = 0;
  for (int y = 1; y + 1 < g.rows; ++y) {
    const float* up = g.ptr<float>(y - 1);
    const float* mid = g.ptr<float>(y);
    const float* down = g.ptr<float>(y + 1);
    const uchar* v = valid.ptr<uchar>(y);
    for (int x = 1; x + 1 < g.cols; ++x) {
      if (!v[x]) continue;
      float c = mid[x] + threshold;
      // Neighbours in circular order, starting east, going clockwise.
      unsigned code = (mid[x + 1] > c) | ((down[x + 1] > c) << 1) | ((down[x] > c) << 2) | ((down[x - 1] > c) << 3) |
                      ((mid[x - 1] > c) << 4) | ((up[x - 1] > c) << 5) | ((up[x] > c) << 6) | ((up[x + 1] > c) << 7);
      h[table[code]] += 1;
      total += 1;
    }
  }
  for (size_t i = 0; i < kLbpBins; ++i) hist[i] = total > 0 ? float(h[i] / total) : 1.f / kLbpBins;
}

double band_energy(const cv::Mat& g, const cv::Mat& valid) {
  cv::Mat blurred;
  cv::GaussianBlur(g, blurred, cv::Size(), 1.2, 1.2, cv::BORDER_REFLECT);
  cv::Mat d = g - blurred;
  return cv::mean(d.mul(d), valid)[0];
}

void orientation_histogram(const cv::Mat& g, const cv::Mat& valid, float* hist) {
  cv::Mat gx, gy;
  cv::Sobel(g, gx, CV_32F, 1, 0, 3);
  cv::Sobel(g, gy, CV_32F, 0, 1, 3);
  std::array<double, kOrientBins> h{};
  double total = 0;
  for (int y = 0; y < g.rows; ++y) {
    const float* px = gx.ptr<float>(y);
    const float* py = gy.ptr<float>(y);
    const uchar* v = valid.ptr<uchar>(y);
    for (int x = 0; x < g.cols; ++x) {
      if (!v[x]) continue;
      double m = std::hypot(px[x], py[x]);
      if (m < 1e-3) continue;
      double a = std::atan2(py[x], px[x]);
      if (a < 0) a += std::numbers::pi;
      double pos = a / std::numbers::pi * kOrientBins - 0.5;
      int lo = int(std::floor(pos));
      double w = pos - lo;
      h[(lo + kOrientBins) % kOrientBins] += m * (1 - w);
      h[(lo + 1) % kOrientBins] += m * w;
      total += m;
    }
  }
  for (size_t i = 0; i < kOrientBins; ++i) hist[i] = total > 0 ? float(h[i] / total) : 1.f / kOrientBins;
}

}  // namespace

void pattern_descriptor(const cv::Mat& luminance, const cv::Mat& material, float* lbp, float* orient, float* spectrum,
                        const PatternRecipe& recipe) {
  cv::Mat g = luminance, m = material;
  if (recipe.pre_blur > 0) cv::GaussianBlur(luminance, g, cv::Size(), recipe.pre_blur, recipe.pre_blur, cv::BORDER_REFLECT);
  const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 5));
  std::array<double, kLevels> energy{};
  for (size_t level = 0; level < kLevels; ++level) {
    if (level > 0) {
      cv::Size next(std::max(8, int(std::lround(g.cols / std::numbers::sqrt2))),
                    std::max(8, int(std::lround(g.rows / std::numbers::sqrt2))));
      cv::resize(g, g, next, 0, 0, cv::INTER_AREA);
      cv::resize(m, m, next, 0, 0, cv::INTER_NEAREST);
    }
    cv::Mat valid;
    cv::erode(m, valid, kernel, cv::Point(-1, -1), 1, cv::BORDER_CONSTANT, cv::Scalar(0));
    if (cv::countNonZero(valid) == 0) valid = m;
    energy[level] = band_energy(g, valid);
    float threshold = float(recipe.lbp_threshold * (recipe.contrast_relative ? std::sqrt(energy[level]) : 1.0));
    lbp_histogram(g, valid, threshold, lbp + level * kLbpBins);
    if (level == 1) orientation_histogram(g, valid, orient);
  }
  double total = 0;
  for (double e : energy) total += e;
  for (size_t i = 0; i < kLevels; ++i) spectrum[i] = total > 0 ? float(energy[i] / total) : 1.f / kLevels;
}

}  // namespace k9::vision
