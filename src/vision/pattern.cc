#include "vision/pattern.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <numbers>
#include <vector>
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

// The scale step's resampling by f (pattern.h): f < 1 shrinks the whole; f > 1 enlarges the
// part of it around the material's centre that keeps the working image's size (the pattern's
// cost stays bounded; at f = 2 a quarter of the image remains).
// False (nothing done) for f within 2% of 1. The results are new matrices.
bool resample(cv::Mat& g, cv::Mat& m, double f) {
  if (std::abs(f - 1) < 0.02) return false;
  if (f < 1) {
    cv::Size size(std::max(8, int(std::lround(g.cols * f))), std::max(8, int(std::lround(g.rows * f))));
    cv::Mat g2, m2;
    cv::resize(g, g2, size, 0, 0, cv::INTER_AREA);
    cv::resize(m, m2, size, 0, 0, cv::INTER_NEAREST);
    g = g2, m = m2;
    return true;
  }
  cv::Rect box = cv::boundingRect(m);
  int w = std::max(8, int(std::lround(g.cols / f))), h = std::max(8, int(std::lround(g.rows / f)));
  int x = std::clamp(box.x + box.width / 2 - w / 2, 0, g.cols - w), y = std::clamp(box.y + box.height / 2 - h / 2, 0, g.rows - h);
  cv::Rect crop(x, y, w, h);
  cv::Size size(std::max(8, int(std::lround(w * f))), std::max(8, int(std::lround(h * f))));
  cv::Mat g2, m2;  // new matrices: the source may be the caller's, and of the result's size
  cv::resize(g(crop), g2, size, 0, 0, cv::INTER_LINEAR);
  cv::resize(m(crop), m2, size, 0, 0, cv::INTER_NEAREST);
  g = g2, m = m2;
  return true;
}

}  // namespace

double dominant_period(const cv::Mat& luminance, const cv::Mat& material, double* prominence) {
  cv::Rect box = cv::boundingRect(material);
  int side = std::min(box.width, box.height);
  if (prominence) *prominence = 0;
  if (side < 32) return 0;
  cv::Rect square(box.x + (box.width - side) / 2, box.y + (box.height - side) / 2, side, side);
  cv::Mat g = luminance(square).clone(), m = material(square).clone();
  constexpr int kSide = 256;  // the spectrum of at most 256x256 px (the working image's half)
  double d = 1;
  if (side > kSide) {
    d = double(kSide) / side;
    cv::resize(g, g, cv::Size(kSide, kSide), 0, 0, cv::INTER_AREA);
    cv::resize(m, m, cv::Size(kSide, kSide), 0, 0, cv::INTER_NEAREST);
  }
  const int n = g.cols;
  g -= cv::mean(g, m)[0];
  g.setTo(0, m == 0);
  cv::Mat hann;
  cv::createHanningWindow(hann, g.size(), CV_32F);
  g = g.mul(hann);
  cv::Mat spectrum;
  cv::dft(g, spectrum, cv::DFT_COMPLEX_OUTPUT);
  const int half = n / 2;
  std::vector<double> sum(half + 1, 0.0), count(half + 1, 0.0);
  for (int y = 0; y < n; ++y) {
    const cv::Vec2f* row = spectrum.ptr<cv::Vec2f>(y);
    int fy = y <= half ? y : y - n;
    for (int x = 0; x < n; ++x) {
      int fx = x <= half ? x : x - n;
      int r = int(std::lround(std::sqrt(double(fx * fx + fy * fy))));
      if (r > half) continue;
      sum[r] += double(row[x][0]) * row[x][0] + double(row[x][1]) * row[x][1];
      count[r] += 1;
    }
  }
  // Energy per octave at r cycles per window: r^2 x the mean power of the ring; smoothed.
  std::vector<double> e(half + 1, 0.0);
  for (int r = 1; r <= half; ++r) e[r] = count[r] > 0 ? double(r) * r * sum[r] / count[r] : 0;
  std::vector<double> smooth(e);
  for (int r = 2; r < half; ++r) smooth[r] = 0.25 * e[r - 1] + 0.5 * e[r] + 0.25 * e[r + 1];
  // Periods from 4 px to a third of the square, and to at most kMaxPeriod px whatever the
  // square's size, so that a catalog scan and a photo framed wider search the same range.
  constexpr double kMaxPeriod = 64;
  const int lo = std::max(3, int(std::ceil(n / (kMaxPeriod * d)))), hi = std::min(half - 1, int(std::floor(n / (4.0 * d))));
  if (hi <= lo) return 0;
  int peak = lo;
  for (int r = lo; r <= hi; ++r)
    if (smooth[r] > smooth[peak]) peak = r;
  if (smooth[peak] <= 0) return 0;
  if (prominence && peak > lo) {
    double below = smooth[std::max(1, peak / 2)], above = smooth[std::min(half, 2 * peak)];
    *prominence = smooth[peak] / std::max(std::sqrt(below * above), 1e-30);
  }
  double at = peak;
  if (peak > lo && peak < hi) {  // parabola through the log energies of the peak and its neighbours
    double a = std::log(std::max(smooth[peak - 1], 1e-30)), b = std::log(smooth[peak]),
           c = std::log(std::max(smooth[peak + 1], 1e-30));
    double den = a - 2 * b + c;
    if (den < 0) at += std::clamp(0.5 * (a - c) / den, -0.5, 0.5);
  }
  return double(n) / at / d;
}

void pattern_descriptor(const cv::Mat& luminance, const cv::Mat& material, float* lbp, float* orient, float* spectrum,
                        const PatternRecipe& recipe) {
  cv::Mat g = luminance, m = material;
  if (recipe.scale_period > 0) {
    cv::Mat blurred;  // the luminance as the pyramid would see it unscaled, for the estimate
    if (recipe.pre_blur > 0)
      cv::GaussianBlur(luminance, blurred, cv::Size(), recipe.pre_blur, recipe.pre_blur, cv::BORDER_REFLECT);
    else
      blurred = luminance;
    double prominence = 0;
    double period = dominant_period(blurred, material, &prominence);
    double f = period > 0 && prominence >= recipe.scale_prominence
                   ? std::clamp(recipe.scale_period / period, recipe.scale_min, recipe.scale_max)
                   : 1.0;
    if (resample(g, m, f)) {  // resampled first, then blurred: every photo at pre_blur px of the new scale
      if (recipe.pre_blur > 0) cv::GaussianBlur(g, g, cv::Size(), recipe.pre_blur, recipe.pre_blur, cv::BORDER_REFLECT);
    } else {
      g = blurred;
    }
  } else if (recipe.pre_blur > 0) {
    cv::GaussianBlur(luminance, g, cv::Size(), recipe.pre_blur, recipe.pre_blur, cv::BORDER_REFLECT);
  }
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
