#include "vision/selection.h"

#include <algorithm>
#include <cmath>

#include "vision/image_error.h"

namespace k9::vision {

namespace {
[[noreturn]] void invalid(const char* why) {
  throw ImageError(ImageErrorKind::selection_invalid, std::string("the selection is invalid: ") + why);
}
}  // namespace

Quad selection_quad(const Selection& s, double image_width, double image_height) {
  auto finite = [](double v) { return std::isfinite(v); };
  if (!finite(s.width) || !finite(s.height) || s.width <= 0 || s.height <= 0) invalid("shape must be positive");
  if (!finite(s.scale) || s.scale <= 0) invalid("scale must be positive");
  if (!finite(s.x) || !finite(s.y)) invalid("position must be finite");
  double n = std::sqrt(s.qx * s.qx + s.qy * s.qy + s.qz * s.qz + s.qw * s.qw);
  if (!std::isfinite(n) || n < 1e-9) invalid("rotation must be a non-zero quaternion");
  double x = s.qx / n, y = s.qy / n, z = s.qz / n, w = s.qw / n;
  // Rotation matrix of the unit quaternion.
  const double r[3][3] = {{1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)},
                          {2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)},
                          {2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)}};
  double f = std::max(image_width, image_height);
  double hw = s.width * s.scale / 2, hh = s.height * s.scale / 2;
  const double corners[4][2] = {{-hw, -hh}, {hw, -hh}, {hw, hh}, {-hw, hh}};
  Quad q;
  for (int i = 0; i < 4; ++i) {
    double X = r[0][0] * corners[i][0] + r[0][1] * corners[i][1];
    double Y = r[1][0] * corners[i][0] + r[1][1] * corners[i][1];
    double Z = r[2][0] * corners[i][0] + r[2][1] * corners[i][1];
    if (f + Z < f * 0.05) invalid("the rotation turns the rectangle behind the camera");
    q[i] = {s.x + X * f / (f + Z), s.y + Y * f / (f + Z)};
  }
  // Edge-on: the projected area vanishes.
  double area = 0;
  for (int i = 0; i < 4; ++i) area += q[i].x * q[(i + 1) % 4].y - q[(i + 1) % 4].x * q[i].y;
  if (std::abs(area) / 2 < 16) invalid("the rectangle covers almost no area (edge-on or tiny)");
  return q;
}

}  // namespace k9::vision
