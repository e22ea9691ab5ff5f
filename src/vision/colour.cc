#include "vision/colour.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <mutex>
#include <numeric>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "vision/features.h"

namespace k9::vision {

namespace {

constexpr int kMaxSamples = 4096;
constexpr double kGamma = 2.2;
constexpr float kMergeDistance = 8;  // CIE76 units

// Linear-RGB samples (B, G, R) of material pixels, illumination-flattened.
std::vector<cv::Vec3f> sample_pixels(const cv::Mat& bgr, const cv::Mat& material, const cv::Mat& gain) {
  int count = cv::countNonZero(material);
  int step = std::max(1, int(std::sqrt(double(count) / kMaxSamples)));
  std::vector<cv::Vec3f> out;
  out.reserve(size_t(count / (step * step) + bgr.cols + bgr.rows));
  static const auto lut = [] {
    std::array<float, 256> t{};
    for (int i = 0; i < 256; ++i) t[i] = float(std::pow(i / 255.0, kGamma));
    return t;
  }();
  for (int y = step / 2; y < bgr.rows; y += step) {
    const auto* px = bgr.ptr<cv::Vec3b>(y);
    const auto* m = material.ptr<uchar>(y);
    const auto* g = gain.ptr<float>(y);
    for (int x = step / 2; x < bgr.cols; x += step) {
      if (!m[x]) continue;
      // A gain in linear light is gain^gamma; the gain was measured on gamma-encoded grey.
      float lg = std::pow(g[x], float(kGamma));
      out.push_back({lut[px[x][0]] * lg, lut[px[x][1]] * lg, lut[px[x][2]] * lg});
    }
  }
  return out;
}

void white_balance(std::vector<cv::Vec3f>& samples, double limit) {
  std::array<double, 3> e{};
  for (auto& s : samples)
    for (int c = 0; c < 3; ++c) e[c] += std::pow(double(s[c]), 6.0);
  for (auto& v : e) v = std::pow(v / samples.size(), 1.0 / 6) + 1e-6;
  double u = std::log(e[2] / e[1]), v = std::log(e[0] / e[1]);  // red and blue against green
  double r = std::hypot(u, v);
  if (r > limit) {
    u *= limit / r;
    v *= limit / r;
  }
  std::array<double, 3> gains = {std::exp(-v), 1.0, std::exp(-u)};
  double luma = 0.0722 * gains[0] + 0.7152 * gains[1] + 0.2126 * gains[2];
  for (auto& s : samples)
    for (int c = 0; c < 3; ++c) s[c] = float(std::min(1.0, s[c] * gains[c] / luma));
}

// OpenCV 4.6 fills its Lab lookup tables lazily behind an unsynchronised flag: threads that
// convert for the first time together each allocate them and all but one set leaks (LeakSanitizer
// under the catalog importer's workers). One conversion, once, before any concurrent one.
void init_opencv_lab_tables() {
  static std::once_flag once;
  std::call_once(once, [] {
    cv::Mat f(1, 1, CV_32FC3, cv::Scalar(0.5, 0.5, 0.5)), b(1, 1, CV_8UC3, cv::Scalar(128, 128, 128)), out;
    cv::cvtColor(f, out, cv::COLOR_BGR2Lab);
    cv::cvtColor(b, out, cv::COLOR_BGR2Lab);
  });
}

std::vector<cv::Vec3f> to_lab(std::vector<cv::Vec3f> linear) {
  init_opencv_lab_tables();
  for (auto& s : linear)
    for (int c = 0; c < 3; ++c) s[c] = std::pow(std::clamp(s[c], 0.f, 1.f), float(1 / kGamma));
  cv::Mat m(1, int(linear.size()), CV_32FC3, linear.data());
  cv::Mat lab;
  cv::cvtColor(m, lab, cv::COLOR_BGR2Lab);
  return std::vector<cv::Vec3f>(lab.begin<cv::Vec3f>(), lab.end<cv::Vec3f>());
}

float distance2(const cv::Vec3f& a, const cv::Vec3f& b) {
  cv::Vec3f d = a - b;
  return d.dot(d);
}

}  // namespace

void dominant_colours(const cv::Mat& bgr, const cv::Mat& material, const cv::Mat& gain, float* out, double cast_limit) {
  auto samples = sample_pixels(bgr, material, gain);
  std::fill(out, out + kColours * kColourStride, 0.f);
  if (samples.empty()) return;
  white_balance(samples, cast_limit);
  auto lab = to_lab(std::move(samples));

  // Initial centres: mean colour of each lightness tercile.
  std::vector<size_t> order(lab.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lab[a][0] < lab[b][0]; });
  std::array<cv::Vec3f, kColours> centre{};
  for (size_t k = 0; k < kColours; ++k) {
    size_t from = order.size() * k / kColours, to = std::max(from + 1, order.size() * (k + 1) / kColours);
    cv::Vec3d sum{};
    for (size_t i = from; i < to && i < order.size(); ++i) sum += cv::Vec3d(lab[order[i]]);
    centre[k] = cv::Vec3f(sum / double(std::max<size_t>(1, std::min(to, order.size()) - from)));
  }
  std::vector<uint8_t> label(lab.size(), 0);
  std::array<size_t, kColours> count{};
  for (int iteration = 0; iteration < 15; ++iteration) {
    std::array<cv::Vec3d, kColours> sum{};
    count = {};
    for (size_t i = 0; i < lab.size(); ++i) {
      uint8_t best = 0;
      for (uint8_t k = 1; k < kColours; ++k)
        if (distance2(lab[i], centre[k]) < distance2(lab[i], centre[best])) best = k;
      label[i] = best;
      sum[best] += cv::Vec3d(lab[i]);
      ++count[best];
    }
    for (size_t k = 0; k < kColours; ++k)
      if (count[k]) centre[k] = cv::Vec3f(sum[k] / double(count[k]));
  }
  // Clusters closer than kMergeDistance are one colour split by k-means (a two-colour tile
  // has no third colour): merge them; the freed slots repeat the last colour with share 0.
  for (size_t i = 0; i < kColours; ++i)
    for (size_t j = i + 1; j < kColours; ++j)
      if (count[i] && count[j] && std::sqrt(distance2(centre[i], centre[j])) < kMergeDistance) {
        centre[i] = (centre[i] * float(count[i]) + centre[j] * float(count[j])) / float(count[i] + count[j]);
        count[i] += count[j];
        count[j] = 0;
      }
  std::array<size_t, kColours> rank{0, 1, 2};
  std::stable_sort(rank.begin(), rank.end(), [&](size_t a, size_t b) { return count[a] > count[b]; });
  size_t last = rank[0];
  for (size_t i = 0; i < kColours; ++i) {
    bool present = count[rank[i]] > 0;
    if (present) last = rank[i];
    float* o = out + i * kColourStride;
    o[0] = centre[last][0];
    o[1] = centre[last][1];
    o[2] = centre[last][2];
    o[3] = present ? float(double(count[last]) / lab.size()) : 0.f;
  }
}

}  // namespace k9::vision
