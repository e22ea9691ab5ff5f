#include "phone_photo.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>

#include "codec/codec.h"

namespace k9::bench {

namespace {

double rad(double degrees) { return degrees * std::numbers::pi / 180; }

cv::Matx33d rotation(double degrees) {
  double c = std::cos(rad(degrees)), s = std::sin(rad(degrees));
  return {c, -s, 0, s, c, 0, 0, 0, 1};
}
cv::Matx33d scaling(double f) { return {f, 0, 0, 0, f, 0, 0, 0, 1}; }
cv::Matx33d translation(double x, double y) { return {1, 0, x, 0, 1, y, 0, 0, 1}; }

// Seen at an angle, in coordinates where the frame's longer half-side is 1: the far edge
// (up, before turning by `direction`) covers 1/keystone times more surface than the near one,
// in width and in depth; scaled so that the middle of the frame keeps its density.
cv::Matx33d keystone(double k, double direction) {
  if (k >= 1) return cv::Matx33d::eye();
  cv::Point2f from[4] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
  float far = float(1 / k);
  cv::Point2f to[4] = {{-far, -far}, {far, -far}, {1, 1}, {-1, 1}};
  cv::Matx33d k0(cv::getPerspectiveTransform(from, to));
  return rotation(direction) * scaling(2 * k / (1 + k)) * k0 * rotation(-direction);
}

// The frame's view of `texture` (mirrored beyond its edges).
cv::Mat view(const cv::Mat& texture, double catalog_density, double centre_x, double centre_y, const PhoneShot& shot) {
  double density = shot.scale * catalog_density * kFrame.width / kCatalogSide;  // frame px per texture px
  // Shrunk first where the frame samples the texture sparsely (warps do not average).
  double f = std::min(1.0, density * shot.keystone);
  cv::Mat source = texture;
  if (f < 0.95) cv::resize(texture, source, cv::Size(), f, f, cv::INTER_AREA);
  f = double(source.cols) / texture.cols;
  double half = kFrame.width / 2.0;
  cv::Matx33d frame_to_unit = scaling(1 / half) * translation(-kFrame.width / 2.0, -kFrame.height / 2.0);
  cv::Matx33d unit_to_texture = translation(centre_x * source.cols, centre_y * source.rows) *
                                rotation(shot.turn) * scaling(half / density * f);
  cv::Matx33d m = unit_to_texture * keystone(shot.keystone, shot.keystone_direction) * frame_to_unit;
  cv::Mat out;
  cv::warpPerspective(source, out, cv::Mat(m), kFrame, cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                      cv::BORDER_REFLECT_101);
  return out;
}

float to_linear(float v) { return v <= 0.04045f ? v / 12.92f : std::pow((v + 0.055f) / 1.055f, 2.4f); }
float to_srgb(float v) {
  v = std::clamp(v, 0.f, 1.f);
  return v <= 0.0031308f ? v * 12.92f : 1.055f * std::pow(v, 1 / 2.4f) - 0.055f;
}

// Uneven light and a colour cast, in linear light; the mean light is kept (auto-exposure).
cv::Mat light(const cv::Mat& bgr, const PhoneShot& shot) {
  std::array<float, 256> lut;
  for (int i = 0; i < 256; ++i) lut[i] = to_linear(i / 255.f);
  cv::Mat field(bgr.size(), CV_32F);
  double c = std::cos(rad(shot.light_direction)), s = std::sin(rad(shot.light_direction));
  double extent = bgr.cols * std::abs(c) + bgr.rows * std::abs(s);
  double corner2 = (bgr.cols * bgr.cols + bgr.rows * bgr.rows) / 4.0;
  for (int y = 0; y < bgr.rows; ++y)
    for (int x = 0; x < bgr.cols; ++x) {
      double dx = x - bgr.cols / 2.0, dy = y - bgr.rows / 2.0;
      double t = (dx * c + dy * s) / extent;  // -0.5..0.5
      field.at<float>(y, x) =
          float(std::pow(shot.light_ratio, t) * (1 - shot.vignette * (dx * dx + dy * dy) / corner2));
    }
  field /= cv::mean(field)[0];
  cv::Mat out(bgr.size(), CV_8UC3);
  for (int y = 0; y < bgr.rows; ++y)
    for (int x = 0; x < bgr.cols; ++x) {
      auto p = bgr.at<cv::Vec3b>(y, x);
      float g = field.at<float>(y, x);
      cv::Vec3b& o = out.at<cv::Vec3b>(y, x);
      for (int ch = 0; ch < 3; ++ch)
        o[ch] = cv::saturate_cast<uchar>(255 * to_srgb(lut[p[ch]] * g * float(shot.cast[ch])));
    }
  return out;
}

}  // namespace

const char* colourway_name(Colourway c) {
  switch (c) {
    case Colourway::original: return "original";
    case Colourway::near_hue: return "near hue";
    case Colourway::far_hue: return "far hue";
    case Colourway::darker_duller: return "darker duller";
  }
  return "?";
}

cv::Mat colourway(const cv::Mat& bgr, Colourway c, double tint_angle) {
  if (c == Colourway::original) return bgr.clone();
  cv::Mat lab;
  bgr.convertTo(lab, CV_32FC3, 1 / 255.0);
  cv::cvtColor(lab, lab, cv::COLOR_BGR2Lab);
  double turn = c == Colourway::near_hue ? 20 : c == Colourway::far_hue ? 150 : 0;
  double tint = c == Colourway::near_hue ? 6 : c == Colourway::far_hue ? 15 : 0;
  double lightness = c == Colourway::darker_duller ? 0.72 : 1, chroma = c == Colourway::darker_duller ? 0.6 : 1;
  double cs = std::cos(rad(turn)), sn = std::sin(rad(turn));
  float ta = float(tint * std::cos(rad(tint_angle))), tb = float(tint * std::sin(rad(tint_angle)));
  for (auto it = lab.begin<cv::Vec3f>(); it != lab.end<cv::Vec3f>(); ++it) {
    cv::Vec3f& p = *it;
    float a = float(chroma * (p[1] * cs - p[2] * sn)), b = float(chroma * (p[1] * sn + p[2] * cs));
    p = {float(p[0] * lightness), a + ta, b + tb};
  }
  cv::cvtColor(lab, lab, cv::COLOR_Lab2BGR);
  cv::Mat out;
  lab.convertTo(out, CV_8UC3, 255);
  return out;
}

double catalog_density(const cv::Mat& piece) { return double(kCatalogSide) / std::max(piece.cols, piece.rows); }

cv::Mat catalog_photo(const cv::Mat& texture) {
  double f = catalog_density(texture);
  cv::Mat out;
  cv::resize(texture, out, cv::Size(std::max(1, int(std::lround(texture.cols * f))),
                                    std::max(1, int(std::lround(texture.rows * f)))),
             0, 0, f < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

PhonePhoto phone_photo(const cv::Mat& piece, double catalog_density, const cv::Mat& other, const PhoneShot& shot) {
  cv::Mat frame = view(piece, catalog_density, shot.centre_x, shot.centre_y, shot);
  PhonePhoto photo;
  if (shot.region) {
    cv::Mat around = view(other, bench::catalog_density(other), 1 - shot.centre_x, 1 - shot.centre_y, shot);
    cv::RotatedRect r = *shot.region;
    r.center = {r.center.x * kFrame.width, r.center.y * kFrame.height};
    r.size = {r.size.width * kFrame.width, r.size.height * kFrame.height};
    cv::Point2f corners[4];
    r.points(corners);
    std::array<cv::Point, 4> polygon;
    for (int i = 0; i < 4; ++i) polygon[i] = corners[i];
    cv::Mat region(kFrame, CV_8U, cv::Scalar(0));
    cv::fillConvexPoly(region, polygon.data(), 4, cv::Scalar(255));
    around.copyTo(frame, 255 - region);
    cv::Mat mask;
    cv::erode(region, mask, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(7, 7)));
    photo.mask_png = codec::encode_png(mask);
  }
  if (shot.light_ratio != 1 || shot.vignette != 0 || shot.cast != cv::Vec3d(1, 1, 1)) frame = light(frame, shot);
  if (shot.blur > 0) cv::GaussianBlur(frame, frame, cv::Size(), shot.blur);
  if (shot.noise > 0) {
    cv::Mat noisy, noise(frame.size(), CV_32FC3);
    cv::RNG rng(shot.noise_seed);
    rng.fill(noise, cv::RNG::NORMAL, 0, shot.noise);
    frame.convertTo(noisy, CV_32FC3);
    noisy += noise;
    noisy.convertTo(frame, CV_8UC3);
  }
  photo.jpeg = codec::encode_jpeg(frame, shot.quality);
  return photo;
}

}  // namespace k9::bench
