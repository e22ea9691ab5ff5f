// Colourways of a texture and phone photos of its surface, for bench/vision_real.cc.
//
// A product's surface is a texture (8-bit BGR). Its catalog photo is one piece of it (the
// benchmark takes the top half) with its longer side at kCatalogSide px, as a manufacturer's
// scan; a phone photo is a kFrame view of another piece of the same material (the bottom
// half, mirrored beyond its edges): centre anywhere on it, turned, nearer or farther (scale 1
// shows the pattern at the catalog photo's size once the extractor brings both to
// vision::kWorkingSide, catalog_density being the catalog photo's px per texture px), seen
// at an angle, under a cast and uneven light, blurred, noisy, JPEG-compressed, and possibly
// lying on another material, a mask then marking the product's region.
#pragma once
#include <opencv2/core.hpp>
#include <optional>
#include <random>
#include <string>

namespace k9::bench {

inline constexpr int kCatalogSide = 512;
inline const cv::Size kFrame(768, 576);

// The colourways of a product: the texture as it is, a near hue (hue turned 20 degrees and a
// tint of 6 CIELAB units, so that grey materials change too), a far hue (150 degrees, tint
// 15) and a darker, duller one (L* x 0.72, chroma x 0.6). `tint_angle` (degrees) is the
// tint's direction in the a*b* plane, one per texture.
enum class Colourway { original, near_hue, far_hue, darker_duller };
inline constexpr int kColourways = 4;
const char* colourway_name(Colourway c);
cv::Mat colourway(const cv::Mat& bgr, Colourway c, double tint_angle);

// `piece` with its longer side at kCatalogSide (area interpolation).
cv::Mat catalog_photo(const cv::Mat& piece);
// The catalog photo's px per px of `piece`.
double catalog_density(const cv::Mat& piece);

struct PhoneShot {
  double centre_x = 0.5, centre_y = 0.5;  // on the texture, as fractions of its size
  double turn = 0;                        // degrees
  double scale = 1;                       // > 1: nearer, the pattern looks larger
  double keystone = 1;                    // far edge's width over the near edge's, (0, 1]
  double keystone_direction = 0;          // degrees: where the far edge lies
  // The product's region when another material fills the rest of the frame: a turned
  // rectangle (centre and size as fractions of the frame), the mask marking it 3 px inside.
  std::optional<cv::RotatedRect> region = std::nullopt;
  double light_ratio = 1;             // brightest over darkest of a linear light gradient
  double light_direction = 0;         // degrees
  double vignette = 0;                // light lost at the frame's corners (0.3 = 30%)
  cv::Vec3d cast = {1, 1, 1};         // B, G, R gains in linear light
  double blur = 0;                    // Gaussian sigma, px
  double noise = 0;                   // Gaussian sigma, 8-bit levels
  int quality = 90;                   // JPEG
  uint64_t noise_seed = 0;
};

struct PhonePhoto {
  std::string jpeg;
  std::optional<std::string> mask_png = std::nullopt;
};

// `piece`: what the phone sees, at `catalog_density` (the catalog photo's, not this piece's:
// pieces may differ in size); `other`: the texture around the product when `shot.region` is
// set (seen the same way). Deterministic: equal arguments give equal bytes.
PhonePhoto phone_photo(const cv::Mat& piece, double catalog_density, const cv::Mat& other, const PhoneShot& shot);

}  // namespace k9::bench
