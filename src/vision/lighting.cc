#include "vision/lighting.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>

namespace k9::vision {

cv::Mat illumination_gain(const cv::Mat& grey, const cv::Mat& material) {
  const int small_side = 64;
  double f = double(small_side) / std::max(grey.cols, grey.rows);
  cv::Size small(std::max(1, int(grey.cols * f + 0.5)), std::max(1, int(grey.rows * f + 0.5)));
  cv::Mat weight;
  material.convertTo(weight, CV_32F, 1.0 / 255);
  cv::Mat weighted = grey.mul(weight);
  cv::Mat g_small, w_small;
  cv::resize(weighted, g_small, small, 0, 0, cv::INTER_AREA);
  cv::resize(weight, w_small, small, 0, 0, cv::INTER_AREA);
  const double sigma = small_side / 5.0;
  cv::GaussianBlur(g_small, g_small, cv::Size(), sigma, sigma, cv::BORDER_REFLECT);
  cv::GaussianBlur(w_small, w_small, cv::Size(), sigma, sigma, cv::BORDER_REFLECT);
  cv::Mat field = g_small / cv::max(w_small, 1e-3);
  double mean_field = cv::mean(field, w_small > 1e-3)[0];
  cv::Mat gain;
  cv::divide(mean_field, cv::max(field, 1e-4), gain);
  gain = cv::min(cv::max(gain, 1.0 / 3), 3.0);
  cv::resize(gain, gain, grey.size(), 0, 0, cv::INTER_LINEAR);
  return gain;
}

}  // namespace k9::vision
