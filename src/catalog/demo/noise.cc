#include "catalog/demo/noise.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>

namespace k9::catalog::demo {

cv::Mat fbm(cv::Size size, double cells, int octaves, cv::RNG& rng, double stretch, double gain) {
  cv::Mat sum(size, CV_32F, cv::Scalar(0));
  double amplitude = 1, total = 0;
  for (int o = 0; o < octaves; ++o) {
    int gx = std::max(2, int(cells / stretch) + 1), gy = std::max(2, int(cells) + 1);
    cv::Mat grid(gy, gx, CV_32F);
    rng.fill(grid, cv::RNG::UNIFORM, -1.0, 1.0);
    cv::Mat up;
    cv::resize(grid, up, size, 0, 0, cv::INTER_CUBIC);
    sum += up * amplitude;
    total += amplitude;
    amplitude *= gain;
    cells *= 2;
  }
  return sum / total;
}

cv::Mat blend(const cv::Mat& t, cv::Scalar a, cv::Scalar b) {
  cv::Mat out(t.size(), CV_32FC3);
  for (int y = 0; y < t.rows; ++y) {
    const float* tp = t.ptr<float>(y);
    auto* o = out.ptr<cv::Vec3f>(y);
    for (int x = 0; x < t.cols; ++x) {
      float v = std::clamp(tp[x], 0.f, 1.f);
      for (int c = 0; c < 3; ++c) o[x][c] = float(a[c] * (1 - v) + b[c] * v);
    }
  }
  return out;
}

}  // namespace k9::catalog::demo
