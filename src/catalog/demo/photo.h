// Photos of a material sheet (materials.h) as a phone would take them: a crop at some
// distance (scale), turned, seen at an angle (perspective), lit unevenly, with the camera's
// exposure, white balance and sensor noise.
#pragma once
#include <opencv2/core.hpp>

namespace k9::catalog::demo {

struct Shot {
  double rotation = 0;        // degrees, in the photo's plane
  double coverage = 0.6;      // fraction of the sheet's side the photo's width spans (scale)
  cv::Point2d centre{0.5, 0.5};  // on the sheet, fractions
  double tilt = 0;            // perspective: corner displacement, fraction of the photo (0 .. 0.2)
  double gradient = 0;        // uneven light: brightness falls by up to this fraction across the photo
  double gradient_angle = 0;  // degrees
  double exposure = 1;
  cv::Scalar white_balance{1, 1, 1};  // B, G, R gains
  double noise = 1.5;         // sensor noise, standard deviation in 8-bit levels
};

// The catalog's own photo: front-on, even light.
Shot catalog_shot();
// A varied photo, deterministic from the RNG.
Shot random_shot(cv::RNG& rng);

// CV_8UC3 of `size`.
cv::Mat render_photo(const cv::Mat& sheet, const Shot& shot, cv::Size size, uint64_t seed);

}  // namespace k9::catalog::demo
