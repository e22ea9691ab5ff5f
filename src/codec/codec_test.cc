#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <jpeglib.h>

#include <opencv2/imgproc.hpp>

#include "codec/codec.h"
#include "codec/test_jpeg.h"

namespace k9::codec {
namespace {

using ::testing::HasSubstr;

// 40 wide, 20 high; the top-left 10x10 corner red, the rest blue.
cv::Mat marked() {
  cv::Mat m(20, 40, CV_8UC3, cv::Scalar(255, 0, 0));
  m(cv::Rect(0, 0, 10, 10)).setTo(cv::Scalar(0, 0, 255));
  return m;
}
bool red(const cv::Mat& m, int y, int x) { auto p = m.at<cv::Vec3b>(y, x); return p[2] > 200 && p[0] < 60; }

std::string tiff_with_orientation(int o, bool big_endian) {
  std::string t = big_endian ? std::string("MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0", 19) + char(o) +
                                   std::string("\0\0\0\0\0\0", 6)
                             : std::string("II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0", 18) + char(o) +
                                   std::string("\0\0\0\0\0\0\0", 7);
  return t;
}

std::string be32(uint32_t v) { return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)}; }
std::string le32(uint32_t v) { return {char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; }

TEST(Exif, ReadsTheOrientationInBothByteOrders) {
  for (int o = 1; o <= 8; ++o) {
    EXPECT_EQ(exif_orientation(tiff_with_orientation(o, false)), o);
    EXPECT_EQ(exif_orientation(std::string("Exif\0\0", 6) + tiff_with_orientation(o, true)), o);
  }
  EXPECT_EQ(exif_orientation(tiff_with_orientation(9, false)), 1);
}

TEST(Exif, NeverReadsOutsideThePayload) {
  std::string t = tiff_with_orientation(6, false);
  for (size_t n = 0; n < t.size() - 6; ++n) EXPECT_EQ(exif_orientation(std::string_view(t).substr(0, n)), 1) << n;
  std::string far = t;
  far[4] = char(0xF0);  // IFD0 past the end
  EXPECT_EQ(exif_orientation(far), 1);
  std::string many = t;
  many[8] = char(0xFF), many[9] = char(0xFF);  // 65535 entries claimed, one present
  many[10] = 0;                                 // and it is not the orientation
  EXPECT_EQ(exif_orientation(many), 1);
}

TEST(Exif, OrientationsTurnThePictureUpright) {
  // Where the stored top-left corner ends up: {row, col} as fractions of the result.
  const int corner[9][2] = {{}, {0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 0}};
  for (int o = 1; o <= 8; ++o) {
    cv::Mat m = marked();
    apply_orientation(m, o);
    EXPECT_EQ(m.size(), o >= 5 ? cv::Size(20, 40) : cv::Size(40, 20)) << o;
    EXPECT_TRUE(red(m, corner[o][0] * (m.rows - 1), corner[o][1] * (m.cols - 1))) << o;
  }
}

TEST(Jpeg, RoundTripScaledGreyAndOriented) {
  std::string jpeg = encode_jpeg(marked(), 95);
  Decoded d = decode_jpeg(jpeg);
  ASSERT_EQ(d.pixels.type(), CV_8UC3);
  EXPECT_EQ(d.pixels.size(), cv::Size(40, 20));
  EXPECT_TRUE(red(d.pixels, 2, 2));
  EXPECT_FALSE(red(d.pixels, 15, 30));
  EXPECT_EQ(decode_jpeg(jpeg, {.scale_denom = 2}).pixels.size(), cv::Size(20, 10));
  Decoded g = decode_jpeg(jpeg, {.grey = true});
  EXPECT_EQ(g.pixels.type(), CV_8UC1);
  // An APP1 "Exif" segment after SOI: orientation 8 (turn 90 degrees anticlockwise).
  std::string payload = std::string("Exif\0\0", 6) + tiff_with_orientation(8, true);
  std::string app1 = std::string("\xFF\xE1", 2) + char((payload.size() + 2) >> 8) + char((payload.size() + 2) & 0xFF) + payload;
  Decoded o = decode_jpeg(jpeg.substr(0, 2) + app1 + jpeg.substr(2));
  EXPECT_EQ(o.orientation, 8);
  EXPECT_EQ(o.pixels.size(), cv::Size(20, 40));
  EXPECT_TRUE(red(o.pixels, 37, 2));
}

TEST(Jpeg, ErrorsComeBackAsCodecErrors) {
  std::string jpeg = encode_jpeg(marked());
  std::string bad = jpeg;
  bad[bad.find("\xFF\xC0") + 9] = 0;  // no components
  EXPECT_THROW(decode_jpeg(bad), CodecError);
  EXPECT_THROW(decode_jpeg(jpeg.substr(0, 100)), CodecError);
  EXPECT_THROW(decode_jpeg("\xFF\xD8\xFF"), CodecError);
  try {
    decode_jpeg(jpeg, {.max_pixels = 100});
    FAIL();
  } catch (const CodecError& e) {
    EXPECT_THAT(e.what(), HasSubstr("40x20"));
  }
}

// A progressive JPEG (libjpeg's simple progression: 10 scans for YCbCr), grey 64x64.
std::string progressive_jpeg() {
  return testing::uniform_jpeg({.progressive = true}, std::vector<unsigned char>(64 * 3, 128));
}

TEST(Jpeg, ProgressiveScansAreBounded) {
  std::string jpeg = progressive_jpeg();
  EXPECT_EQ(decode_jpeg(jpeg).pixels.size(), cv::Size(64, 64));
  try {
    decode_jpeg(jpeg, {.max_jpeg_scans = 3});
    FAIL();
  } catch (const CodecError& e) {
    EXPECT_THAT(e.what(), HasSubstr("more than 3 scans"));
  }
}

TEST(Png, RoundTripsEveryLayout) {
  cv::Mat bgr = marked();
  cv::Mat grey, bgra, sixteen;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  cv::cvtColor(bgr, bgra, cv::COLOR_BGR2BGRA);
  bgra(cv::Rect(0, 0, 5, 5)).setTo(cv::Scalar(1, 2, 3, 0));
  bgr.convertTo(sixteen, CV_16U, 257);
  sixteen.at<cv::Vec3w>(3, 4) = cv::Vec3w(1, 2, 65535);
  for (const cv::Mat& m : {bgr, grey, bgra, sixteen}) {
    cv::Mat back = decode_png(encode_png(m)).pixels;
    ASSERT_EQ(back.type(), m.type());
    EXPECT_EQ(cv::norm(back, m, cv::NORM_INF), 0);
  }
}

// Inserts a chunk after IHDR, with its CRC.
std::string with_chunk(const std::string& png, const std::string& type, const std::string& data) {
  std::string body = type + data;
  uint32_t crc = uint32_t(crc32(0, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size())));
  return png.substr(0, 33) + be32(uint32_t(data.size())) + body + be32(crc) + png.substr(33);
}

TEST(Png, PaletteTransparencyAndExif) {
  std::string png = encode_png(marked());
  Decoded o = decode_png(with_chunk(png, "eXIf", tiff_with_orientation(6, false)));
  EXPECT_EQ(o.orientation, 6);
  EXPECT_EQ(o.pixels.size(), cv::Size(20, 40));
  EXPECT_TRUE(red(o.pixels, 2, 17));
  // A 2x1 palette image (colour type 3, 8 bits) whose second entry is transparent.
  std::string ihdr = be32(2) + be32(1) + std::string("\x08\x03\0\0\0", 5);
  std::string raw("\0\0\x01", 3);
  uLongf zn = compressBound(uLong(raw.size()));
  std::string z(zn, '\0');
  ASSERT_EQ(compress(reinterpret_cast<Bytef*>(z.data()), &zn, reinterpret_cast<const Bytef*>(raw.data()), uLong(raw.size())), Z_OK);
  z.resize(zn);
  auto chunk = [](const std::string& type, const std::string& data) {
    std::string body = type + data;
    return be32(uint32_t(data.size())) + body +
           be32(uint32_t(crc32(0, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size()))));
  };
  std::string pal = std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("PLTE", std::string("\xFF\0\0\0\xFF\0", 6)) +
                    chunk("tRNS", std::string("\xFF\0", 2)) + chunk("IDAT", z) + chunk("IEND", "");
  cv::Mat m = decode_png(pal).pixels;
  ASSERT_EQ(m.type(), CV_8UC4);
  EXPECT_EQ(m.at<cv::Vec4b>(0, 0), cv::Vec4b(0, 0, 255, 255));  // red, opaque (BGRA)
  EXPECT_EQ(m.at<cv::Vec4b>(0, 1), cv::Vec4b(0, 255, 0, 0));    // green, transparent
}

TEST(Png, ErrorsComeBackAsCodecErrors) {
  std::string png = encode_png(marked());
  EXPECT_THROW(decode_png(png.substr(0, png.size() - 30)), CodecError);
  std::string bad = png;
  size_t idat = bad.find("IDAT");
  for (size_t i = idat + 4; i < idat + 20; ++i) bad[i] = char(0xAB);
  try {
    decode_png(bad);
    FAIL();
  } catch (const CodecError& e) {
    EXPECT_THAT(e.what(), HasSubstr("IDAT"));  // libpng's words, e.g. "IDAT: invalid window size"
  }
  EXPECT_THROW(decode_png(png, {.max_pixels = 100}), CodecError);
}

TEST(Webp, RoundTripsLossyLosslessAndExif) {
  cv::Mat bgra;
  cv::cvtColor(marked(), bgra, cv::COLOR_BGR2BGRA);
  bgra(cv::Rect(30, 0, 10, 20)).setTo(cv::Scalar(0, 0, 0, 0));
  std::string lossless = encode_webp(bgra, 101);
  Decoded d = decode_webp(lossless);
  ASSERT_EQ(d.pixels.type(), CV_8UC4);
  EXPECT_EQ(cv::norm(d.pixels, bgra, cv::NORM_INF), 0);
  Decoded lossy = decode_webp(encode_webp(marked(), 90));
  ASSERT_EQ(lossy.pixels.type(), CV_8UC3);
  EXPECT_TRUE(red(lossy.pixels, 3, 3));

  // The extended format: VP8X (EXIF flag, canvas size), the image chunk, an EXIF chunk.
  std::string exif = tiff_with_orientation(3, false);
  std::string body = std::string("WEBP") + "VP8X" + le32(10) + std::string("\x18\0\0\0", 4) +  // EXIF | alpha
                     std::string("\x27\0\0\x13\0\0", 6) + lossless.substr(12) + "EXIF" + le32(uint32_t(exif.size())) + exif;
  std::string extended = "RIFF" + le32(uint32_t(body.size())) + body;
  Decoded o = decode_webp(extended);
  EXPECT_EQ(o.orientation, 3);
  EXPECT_EQ(o.pixels.at<cv::Vec4b>(0, 0)[3], 0);  // the transparent right edge is now on the left
  EXPECT_EQ(o.pixels.at<cv::Vec4b>(19, 39), cv::Vec4b(0, 0, 255, 255));
}

TEST(Webp, ErrorsComeBackAsCodecErrors) {
  std::string webp = encode_webp(marked(), 90);
  EXPECT_THROW(decode_webp(webp.substr(0, webp.size() / 2)), CodecError);
  EXPECT_THROW(decode_webp("RIFF\x10\0\0\0WEBPVP8 "), CodecError);
  EXPECT_THROW(decode_webp(webp, {.max_pixels = 100}), CodecError);
}

}  // namespace
}  // namespace k9::codec
