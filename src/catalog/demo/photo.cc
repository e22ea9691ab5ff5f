#include "catalog/demo/photo.h"

#include <cmath>
#include <opencv2/imgproc.hpp>

namespace k9::catalog::demo {

Shot catalog_shot() { return Shot{}; }

Shot random_shot(cv::RNG& rng) {
  Shot s;
  s.rotation = rng.uniform(-180.0, 180.0);
  s.coverage = rng.uniform(0.45, 0.7);
  s.centre = {rng.uniform(0.45, 0.55), rng.uniform(0.45, 0.55)};
  s.tilt = rng.uniform(0.0, 0.12);
  s.gradient = rng.uniform(0.0, 0.35);
  s.gradient_angle = rng.uniform(0.0, 360.0);
  s.exposure = rng.uniform(0.85, 1.15);
  double warm = rng.uniform(-0.06, 0.06);
  s.white_balance = {1 - warm, 1, 1 + warm};
  s.noise = rng.uniform(1.0, 3.0);
  return s;
}

cv::Mat render_photo(const cv::Mat& sheet, const Shot& shot, cv::Size size, uint64_t seed) {
  cv::RNG rng(seed * 0x9E3779B97F4A7C15ull + 3);
  // The photo's corners on the sheet: a rotated rectangle, then each corner nudged (tilt).
  double w = shot.coverage * sheet.cols, h = w * size.height / size.width;
  double a = shot.rotation * CV_PI / 180, c = std::cos(a), s = std::sin(a);
  cv::Point2d centre(shot.centre.x * sheet.cols, shot.centre.y * sheet.rows);
  const double corners[4][2] = {{-w / 2, -h / 2}, {w / 2, -h / 2}, {w / 2, h / 2}, {-w / 2, h / 2}};
  cv::Point2f on_sheet[4], on_photo[4] = {{0, 0}, {float(size.width), 0}, {float(size.width), float(size.height)},
                                          {0, float(size.height)}};
  for (int i = 0; i < 4; ++i) {
    double x = corners[i][0] * (1 + rng.uniform(-shot.tilt, shot.tilt));
    double y = corners[i][1] * (1 + rng.uniform(-shot.tilt, shot.tilt));
    on_sheet[i] = cv::Point2f(float(centre.x + x * c - y * s), float(centre.y + x * s + y * c));
  }
  cv::Mat transform = cv::getPerspectiveTransform(on_sheet, on_photo);
  cv::Mat photo;
  cv::warpPerspective(sheet, photo, transform, size, cv::INTER_AREA, cv::BORDER_REFLECT);
  photo.convertTo(photo, CV_32FC3);

  double ga = shot.gradient_angle * CV_PI / 180, gx = std::cos(ga), gy = std::sin(ga);
  double half_diag = std::hypot(size.width, size.height) / 2;
  for (int y = 0; y < size.height; ++y) {
    auto* p = photo.ptr<cv::Vec3f>(y);
    for (int x = 0; x < size.width; ++x) {
      double along = ((x - size.width / 2.0) * gx + (y - size.height / 2.0) * gy) / half_diag;  // -1 .. 1
      double light = shot.exposure * (1 - shot.gradient * (0.5 + 0.5 * along));
      for (int k = 0; k < 3; ++k) p[x][k] = float(p[x][k] * light * shot.white_balance[k]);
    }
  }
  cv::Mat noise(photo.size(), CV_32FC3);
  rng.fill(noise, cv::RNG::NORMAL, 0.0, shot.noise);
  photo += noise;
  cv::Mat out;
  photo.convertTo(out, CV_8UC3);
  return out;
}

}  // namespace k9::catalog::demo
