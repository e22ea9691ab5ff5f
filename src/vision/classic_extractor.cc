#include "vision/classic_extractor.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <string>

#include "vision/colour.h"
#include "vision/decode.h"
#include "vision/features.h"
#include "vision/lighting.h"
#include "vision/pattern.h"

namespace k9::vision {

namespace {

int choose_reduction(double extent) {
  for (int r : {8, 4, 2})
    if (extent / r >= kWorkingSide) return r;
  return 1;
}

double quad_extent(const Quad& q) {
  double min_x = q[0].x, max_x = q[0].x, min_y = q[0].y, max_y = q[0].y;
  for (auto& p : q) {
    min_x = std::min(min_x, p.x), max_x = std::max(max_x, p.x);
    min_y = std::min(min_y, p.y), max_y = std::max(max_y, p.y);
  }
  return std::max(max_x - min_x, max_y - min_y);
}

std::string point_text(const Point& p) {
  return "(" + std::to_string(std::lround(p.x)) + ", " + std::to_string(std::lround(p.y)) + ")";
}

void check_inside(const Quad& q, cv::Size full) {
  // Half a percent of slack for a selection drawn to the very edge.
  double tx = full.width * 0.005 + 1, ty = full.height * 0.005 + 1;
  for (auto& p : q)
    if (p.x < -tx || p.y < -ty || p.x > full.width + tx || p.y > full.height + ty)
      throw ImageError(ImageErrorKind::selection_outside,
                       "the selection lies outside the image: its corner " + point_text(p) + " is not within the " +
                           std::to_string(full.width) + "x" + std::to_string(full.height) + " image");
}

// Warps image and material from the quadrilateral to a rectangle of the selection's aspect.
void rectify(const Quad& quad_full, const Selection& s, cv::Size full, cv::Mat& bgr, cv::Mat& material) {
  double sx = double(bgr.cols) / full.width, sy = double(bgr.rows) / full.height;
  std::array<cv::Point2f, 4> src;
  double longest = 0;
  for (int i = 0; i < 4; ++i) src[i] = cv::Point2f(float(quad_full[i].x * sx), float(quad_full[i].y * sy));
  for (int i = 0; i < 4; ++i) longest = std::max<double>(longest, cv::norm(src[i] - src[(i + 1) % 4]));
  double aspect = s.width / s.height;
  int w = aspect >= 1 ? int(longest) : int(longest * aspect);
  int h = aspect >= 1 ? int(longest / aspect) : int(longest);
  w = std::max(w, 8), h = std::max(h, 8);
  std::array<cv::Point2f, 4> dst = {cv::Point2f(0, 0), cv::Point2f(float(w), 0), cv::Point2f(float(w), float(h)),
                                    cv::Point2f(0, float(h))};
  cv::Mat transform = cv::getPerspectiveTransform(src.data(), dst.data());
  cv::warpPerspective(bgr, bgr, transform, cv::Size(w, h), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::warpPerspective(material, material, transform, cv::Size(w, h), cv::INTER_NEAREST, cv::BORDER_CONSTANT,
                      cv::Scalar(0));
}

}  // namespace

ClassicRecipe classic_1_recipe() { return {}; }

ClassicRecipe classic_2_recipe() {
  ClassicRecipe r;
  r.model_version = kClassic2ModelVersion;
  r.pattern.pre_blur = 2.5;
  r.colour_blur = 2;
  return r;
}

std::string ClassicExtractor::model_version() const { return recipe_.model_version; }
size_t ClassicExtractor::dimension() const { return kDimension; }

Features ClassicExtractor::extract(const ExtractorInput& input) const {
  image::ImageInfo header = read_header(input.image, "image");
  check_limits(header, input.image.size(), limits_, "image");
  std::optional<Quad> quad;
  double extent = std::max(header.width, header.height);
  if (input.selection) {
    quad = selection_quad(*input.selection, header.width, header.height);
    extent = std::min(extent, quad_extent(*quad));
  }
  DecodedImage decoded = decode_image(input.image, limits_, choose_reduction(extent), "image");
  cv::Mat bgr = decoded.bgr;
  cv::Mat material(bgr.size(), CV_8U, cv::Scalar(255));
  if (!decoded.alpha.empty()) {
    cv::compare(decoded.alpha, 128, material, cv::CMP_GE);
    if (cv::countNonZero(material) == 0)
      throw ImageError(ImageErrorKind::transparent, "the image is fully transparent (no pixel has alpha >= 128)");
  }
  if (input.mask) {
    cv::Mat mask = decode_mask(*input.mask, limits_, decoded.reduction, decoded.full_size, bgr.size());
    if (cv::countNonZero(mask) == 0)
      throw ImageError(ImageErrorKind::mask_empty, "the mask marks no material (all its pixels are zero)");
    material &= mask;
    if (cv::countNonZero(material) == 0)
      throw ImageError(ImageErrorKind::mask_empty, "the mask marks only transparent pixels of the image");
  }
  if (quad) {
    check_inside(*quad, decoded.full_size);
    rectify(*quad, *input.selection, decoded.full_size, bgr, material);
    if (cv::countNonZero(material) == 0)
      throw ImageError(ImageErrorKind::mask_empty, "the selection holds no material pixel of the mask");
  }
  int longer = std::max(bgr.cols, bgr.rows);
  if (longer > kWorkingSide) {
    double f = double(kWorkingSide) / longer;
    cv::Size size(std::max(1, int(std::lround(bgr.cols * f))), std::max(1, int(std::lround(bgr.rows * f))));
    cv::resize(bgr, bgr, size, 0, 0, cv::INTER_AREA);
    cv::resize(material, material, size, 0, 0, cv::INTER_NEAREST);
  }

  cv::Mat grey;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  grey.convertTo(grey, CV_32F, 1.0 / 255);
  cv::Mat gain = illumination_gain(grey, material);
  cv::Mat luminance = grey.mul(gain);
  double mean = cv::mean(luminance, material)[0];
  luminance *= 1.0 / std::max(mean, 1e-3);

  Features out{recipe_.model_version, std::vector<float>(kDimension, 0.f)};
  float* v = out.vector.data();
  cv::Mat colour_bgr = bgr;
  if (recipe_.colour_blur > 0)
    cv::GaussianBlur(bgr, colour_bgr, cv::Size(), recipe_.colour_blur, recipe_.colour_blur, cv::BORDER_REFLECT);
  dominant_colours(colour_bgr, material, gain, v + kColourOffset, recipe_.cast_limit);
  pattern_descriptor(luminance, material, v + kLbpOffset, v + kOrientOffset, v + kSpectrumOffset, recipe_.pattern);
  for (float& x : out.vector)
    if (!std::isfinite(x)) x = 0;
  return out;
}

}  // namespace k9::vision
