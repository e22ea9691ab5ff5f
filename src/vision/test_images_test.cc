// Helpers for the vision tests (compiled into the test binary only: *_test.cc).
#include <cstddef>
#include <cstdio>
#include <jpeglib.h>

#include <cmath>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <vector>

#include "codec/codec.h"
#include "codec/test_jpeg.h"
#include "vision/test_images.h"

namespace k9::vision::testing {

std::string encode(const cv::Mat& image, const std::string& ext, int quality) {
  if (ext == ".jpg") return codec::encode_jpeg(image, quality);
  if (ext == ".png") return codec::encode_png(image);
  if (ext == ".webp") return codec::encode_webp(image, quality);
  throw std::runtime_error("cannot encode " + ext);
}

std::string encode_cmyk_jpeg(int width, int height, unsigned char c, unsigned char m, unsigned char y,
                             unsigned char k) {
  // Adobe's CMYK JPEGs store inverted values (255 = no ink); libjpeg writes the Adobe marker.
  std::vector<unsigned char> row(size_t(width) * 4);
  for (int x = 0; x < width; ++x) {
    row[x * 4 + 0] = 255 - c, row[x * 4 + 1] = 255 - m, row[x * 4 + 2] = 255 - y, row[x * 4 + 3] = 255 - k;
  }
  return codec::testing::uniform_jpeg({width, height, 4, JCS_CMYK, false, 95}, std::move(row));
}

std::string with_exif_orientation(const std::string& jpeg, int orientation) {
  // TIFF little-endian header, one IFD with one entry: 0x0112 SHORT 1 = orientation.
  std::string tiff = std::string("II*\0", 4) + std::string("\x08\0\0\0", 4) + std::string("\x01\0", 2) +
                     std::string("\x12\x01\x03\0\x01\0\0\0", 8) + std::string(1, char(orientation)) +
                     std::string("\0\0\0", 3) + std::string("\0\0\0\0", 4);
  std::string payload = std::string("Exif\0\0", 6) + tiff;
  size_t len = payload.size() + 2;
  std::string app1 = std::string("\xFF\xE1", 2) + char(len >> 8) + char(len & 0xFF) + payload;
  return jpeg.substr(0, 2) + app1 + jpeg.substr(2);
}

cv::Mat stripes(cv::Size size, double period, double angle_degrees, cv::Scalar a, cv::Scalar b) {
  cv::Mat out(size, CV_8UC3);
  double t = angle_degrees * CV_PI / 180, c = std::cos(t), s = std::sin(t);
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x) {
      double u = (x * c + y * s) / period;
      double w = 0.5 + 0.5 * std::sin(2 * CV_PI * u);
      cv::Scalar v = a * w + b * (1 - w);
      out.at<cv::Vec3b>(y, x) = cv::Vec3b(cv::saturate_cast<uchar>(v[0]), cv::saturate_cast<uchar>(v[1]),
                                          cv::saturate_cast<uchar>(v[2]));
    }
  return out;
}

cv::Mat noise_texture(cv::Size size, double grain, cv::Scalar base, double amplitude, unsigned seed) {
  cv::RNG rng(seed);
  cv::Mat small(std::max(2, int(size.height / grain)), std::max(2, int(size.width / grain)), CV_32F);
  rng.fill(small, cv::RNG::UNIFORM, -1.0, 1.0);
  cv::Mat field;
  cv::resize(small, field, size, 0, 0, cv::INTER_CUBIC);
  cv::Mat out(size, CV_8UC3);
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x) {
      double n = field.at<float>(y, x) * amplitude;
      out.at<cv::Vec3b>(y, x) = cv::Vec3b(cv::saturate_cast<uchar>(base[0] + n), cv::saturate_cast<uchar>(base[1] + n),
                                          cv::saturate_cast<uchar>(base[2] + n));
    }
  return out;
}

}  // namespace k9::vision::testing
