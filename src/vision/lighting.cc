#include "vision/lighting.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace k9::vision {

namespace {

constexpr int kTerms = 4;  // 1, x, y, r^2
constexpr double kInlier = 0.25;  // in log luminance: 28% brighter or darker than the fit

void terms(double x, double y, double* t) {
  t[0] = 1, t[1] = x, t[2] = y, t[3] = x * x + y * y;
}

}  // namespace

cv::Mat illumination_gain(const cv::Mat& grey, const cv::Mat& material) {
  const int small_side = 64;
  double f = double(small_side) / std::max(grey.cols, grey.rows);
  cv::Size small(std::max(2, int(grey.cols * f + 0.5)), std::max(2, int(grey.rows * f + 0.5)));
  cv::Mat weight;
  material.convertTo(weight, CV_32F, 1.0 / 255);
  cv::Mat g_small, w_small;
  cv::resize(grey.mul(weight), g_small, small, 0, 0, cv::INTER_AREA);
  cv::resize(weight, w_small, small, 0, 0, cv::INTER_AREA);

  // Samples: log luminance of cells that are mostly material; coordinates in [-1, 1].
  struct Sample { double t[kTerms]; double v; double w; };
  std::vector<Sample> samples;
  double half = std::max(small.width, small.height) / 2.0;
  for (int y = 0; y < small.height; ++y)
    for (int x = 0; x < small.width; ++x) {
      float w = w_small.at<float>(y, x);
      if (w < 0.5f) continue;
      Sample s;
      terms((x + 0.5 - small.width / 2.0) / half, (y + 0.5 - small.height / 2.0) / half, s.t);
      s.v = std::log(std::max(1e-3f, g_small.at<float>(y, x) / w));
      s.w = 1;
      samples.push_back(s);
    }
  cv::Mat gain(grey.size(), CV_32F, cv::Scalar(1));
  if (samples.size() < 8) return gain;

  // Start from the median: the bulk of the material is "lit"; regions of another colour are outliers.
  std::vector<double> values;
  for (auto& s : samples) values.push_back(s.v);
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  double median = values[values.size() / 2];
  for (auto& s : samples) {
    s.w = std::abs(s.v - median) < kInlier ? 1 : 0;
  }
  cv::Mat beta = cv::Mat::zeros(kTerms, 1, CV_64F);
  for (int iteration = 0; iteration < 4; ++iteration) {
    cv::Mat a = cv::Mat::zeros(kTerms, kTerms, CV_64F), b = cv::Mat::zeros(kTerms, 1, CV_64F);
    for (auto& s : samples)
      for (int i = 0; i < kTerms; ++i) {
        b.at<double>(i) += s.w * s.t[i] * s.v;
        for (int j = 0; j < kTerms; ++j) a.at<double>(i, j) += s.w * s.t[i] * s.t[j];
      }
    a += cv::Mat::eye(kTerms, kTerms, CV_64F) * 1e-6;
    if (!cv::solve(a, b, beta, cv::DECOMP_CHOLESKY)) return gain;
    for (auto& s : samples) {
      double fit = 0;
      for (int i = 0; i < kTerms; ++i) fit += beta.at<double>(i) * s.t[i];
      s.w = std::abs(s.v - fit) < kInlier ? 1 : 0;
    }
  }
  // Gain = exp(mean field - field), the constant term cancelling out.
  double mean_field = 0;
  for (auto& s : samples)
    for (int i = 1; i < kTerms; ++i) mean_field += beta.at<double>(i) * s.t[i];
  mean_field /= samples.size();
  cv::Mat small_gain(small, CV_32F);
  for (int y = 0; y < small.height; ++y)
    for (int x = 0; x < small.width; ++x) {
      double t[kTerms];
      terms((x + 0.5 - small.width / 2.0) / half, (y + 0.5 - small.height / 2.0) / half, t);
      double field = 0;
      for (int i = 1; i < kTerms; ++i) field += beta.at<double>(i) * t[i];
      small_gain.at<float>(y, x) = float(std::clamp(std::exp(mean_field - field), 1.0 / 3, 3.0));
    }
  cv::resize(small_gain, gain, grey.size(), 0, 0, cv::INTER_LINEAR);
  return gain;
}

}  // namespace k9::vision
