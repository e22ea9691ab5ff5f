// Procedural noise for the demo catalog: value noise summed over octaves (fBm), made by
// enlarging random grids with bicubic interpolation. Deterministic from the RNG.
#pragma once
#include <opencv2/core.hpp>

namespace k9::catalog::demo {

// CV_32F of `size`, roughly in [-1, 1]: `cells` random values across the first octave
// (`stretch` > 1 makes it streaky along x), each next octave twice as fine and `gain` as strong.
cv::Mat fbm(cv::Size size, double cells, int octaves, cv::RNG& rng, double stretch = 1, double gain = 0.5);

// Linear interpolation between two BGR colours by t in [0,1] per pixel (CV_32F) -> CV_32FC3.
cv::Mat blend(const cv::Mat& t, cv::Scalar a, cv::Scalar b);

}  // namespace k9::catalog::demo
