// Test images made in the tests themselves (no files): encoded with codec/codec.h or libjpeg.
#pragma once
#include <opencv2/core.hpp>
#include <string>

namespace k9::vision::testing {

std::string encode(const cv::Mat& image, const std::string& ext, int quality = 95);  // ".png", ".jpg", ".webp" (quality > 100: lossless)
// A JPEG with 4 components (CMYK, as Adobe writes it), via libjpeg.
std::string encode_cmyk_jpeg(int width, int height, unsigned char c, unsigned char m, unsigned char y, unsigned char k);
// `jpeg` with an EXIF APP1 segment holding Orientation = `orientation` inserted after SOI.
std::string with_exif_orientation(const std::string& jpeg, int orientation);
// Deterministic textures.
cv::Mat stripes(cv::Size size, double period, double angle_degrees, cv::Scalar a, cv::Scalar b);
cv::Mat noise_texture(cv::Size size, double grain, cv::Scalar base, double amplitude, unsigned seed);

}  // namespace k9::vision::testing
