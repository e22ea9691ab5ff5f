// Bad input: every case gives an ImageError of the right kind whose message names the
// problem; odd but valid images (CMYK, 16-bit, grey, alpha) are analysed correctly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "image_probe/test_images.h"
#include "vision/classic_extractor.h"
#include "vision/features.h"
#include "vision/test_images.h"

namespace k9::vision {
namespace {

using ::testing::HasSubstr;
using testing::encode;

const ClassicExtractor extractor;

cv::Mat grey_texture() { return testing::noise_texture({200, 160}, 8, {120, 120, 120}, 40, 7); }

// Runs the extractor and returns the error, failing the test when there is none.
ImageError error_of(const ExtractorInput& input) {
  try {
    extractor.extract(input);
  } catch (const ImageError& e) {
    return e;
  }
  ADD_FAILURE() << "no ImageError";
  return ImageError(ImageErrorKind::corrupt, "");
}

TEST(BadInput, EmptyImage) {
  auto e = error_of({""});
  EXPECT_EQ(e.kind(), ImageErrorKind::empty);
  EXPECT_THAT(e.what(), HasSubstr("empty"));
}

TEST(BadInput, NotAnImage) {
  auto e = error_of({"GIF89a this is not something K9 reads"});
  EXPECT_EQ(e.kind(), ImageErrorKind::unsupported);
  EXPECT_THAT(e.what(), HasSubstr("not a JPEG, PNG or WebP"));
}

TEST(BadInput, TruncatedJpeg) {
  std::string jpeg = encode(grey_texture(), ".jpg");
  auto e = error_of({std::string_view(jpeg).substr(0, jpeg.size() / 2)});
  EXPECT_EQ(e.kind(), ImageErrorKind::truncated);
  EXPECT_THAT(e.what(), HasSubstr("truncated"));
}

TEST(BadInput, TruncatedPngAndWebp) {
  std::string png = encode(grey_texture(), ".png");
  EXPECT_EQ(error_of({std::string_view(png).substr(0, png.size() - 20)}).kind(), ImageErrorKind::truncated);
  std::string webp = encode(grey_texture(), ".webp");
  auto e = error_of({std::string_view(webp).substr(0, webp.size() - 10)});
  EXPECT_EQ(e.kind(), ImageErrorKind::truncated);
  EXPECT_THAT(e.what(), HasSubstr("WebP"));
}

TEST(BadInput, CorruptJpegData) {
  std::string jpeg = encode(grey_texture(), ".jpg");
  // Keep the headers, destroy the frame header's component count.
  size_t sof = jpeg.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  jpeg[sof + 9] = 0;
  auto e = error_of({jpeg});
  EXPECT_EQ(e.kind(), ImageErrorKind::corrupt);
  EXPECT_THAT(e.what(), HasSubstr("corrupt"));
}

TEST(BadInput, CorruptPngData) {
  std::string png = encode(grey_texture(), ".png");
  size_t idat = png.find("IDAT");
  ASSERT_NE(idat, std::string::npos);
  for (size_t i = idat + 4; i < idat + 40; ++i) png[i] = char(0xAB);
  auto e = error_of({png});
  EXPECT_EQ(e.kind(), ImageErrorKind::corrupt);
  EXPECT_THAT(e.what(), HasSubstr("PNG data cannot be decoded"));
}

// A PNG whose header claims 60000 x 60000 pixels in 60 bytes: refused before decoding.
TEST(BadInput, DecompressionBombIsRefusedFromTheHeader) {
  std::string png = encode(grey_texture(), ".png");
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) png[at + i] = char((v >> (24 - 8 * i)) & 0xFF);
  };
  put32(16, 60000);
  put32(20, 60000);
  put32(29, image::testing::png_crc(png.substr(12, 17)));  // a well-formed header that lies
  auto e = error_of({png});
  EXPECT_EQ(e.kind(), ImageErrorKind::too_large);
  EXPECT_THAT(e.what(), HasSubstr("60000x60000"));
  EXPECT_THAT(e.what(), HasSubstr("before decoding"));
}

TEST(BadInput, TooManyPixelsForConfiguredLimit) {
  ImageLimits limits;
  limits.max_pixels = 10'000;
  ClassicExtractor small(limits);
  try {
    small.extract({encode(grey_texture(), ".jpg")});
    FAIL();
  } catch (const ImageError& e) {
    EXPECT_EQ(e.kind(), ImageErrorKind::too_large);
    EXPECT_THAT(e.what(), HasSubstr("200x160"));
  }
}

TEST(BadInput, TinyImage) {
  auto e = error_of({encode(cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)), ".png")});
  EXPECT_EQ(e.kind(), ImageErrorKind::too_small);
  EXPECT_THAT(e.what(), HasSubstr("8x8"));
}

TEST(BadInput, MaskOfAnotherSize) {
  std::string mask = encode(cv::Mat(100, 100, CV_8U, cv::Scalar(255)), ".png");
  auto e = error_of({encode(grey_texture(), ".jpg"), mask});
  EXPECT_EQ(e.kind(), ImageErrorKind::mask_size);
  EXPECT_THAT(e.what(), HasSubstr("mask is 100x100 pixels but the image is 200x160"));
}

TEST(BadInput, AllZeroMask) {
  std::string mask = encode(cv::Mat(160, 200, CV_8U, cv::Scalar(0)), ".png");
  auto e = error_of({encode(grey_texture(), ".jpg"), mask});
  EXPECT_EQ(e.kind(), ImageErrorKind::mask_empty);
  EXPECT_THAT(e.what(), HasSubstr("mask marks no material"));
}

TEST(BadInput, CorruptMaskNamesTheMask) {
  auto e = error_of({encode(grey_texture(), ".jpg"), std::string_view("\x89PNG\r\n\x1a\n")});
  EXPECT_THAT(e.what(), HasSubstr("the mask"));
}

TEST(BadInput, SelectionOutsideTheImage) {
  Selection s{.width = 100, .height = 80, .x = 190, .y = 80};
  auto e = error_of({encode(grey_texture(), ".jpg"), std::nullopt, s});
  EXPECT_EQ(e.kind(), ImageErrorKind::selection_outside);
  EXPECT_THAT(e.what(), HasSubstr("outside the image"));
  EXPECT_THAT(e.what(), HasSubstr("200x160"));
}

TEST(BadInput, SelectionWithoutArea) {
  Selection zero_rotation{.width = 50, .height = 50, .x = 100, .y = 80, .qw = 0};
  auto e = error_of({encode(grey_texture(), ".jpg"), std::nullopt, zero_rotation});
  EXPECT_EQ(e.kind(), ImageErrorKind::selection_invalid);
  EXPECT_THAT(e.what(), HasSubstr("quaternion"));
  Selection negative{.width = -5, .height = 50, .x = 100, .y = 80};
  EXPECT_THAT(error_of({encode(grey_texture(), ".jpg"), std::nullopt, negative}).what(), HasSubstr("shape"));
}

TEST(BadInput, FullyTransparentImage) {
  cv::Mat bgra(160, 200, CV_8UC4, cv::Scalar(10, 200, 10, 0));
  auto e = error_of({encode(bgra, ".png")});
  EXPECT_EQ(e.kind(), ImageErrorKind::transparent);
  EXPECT_THAT(e.what(), HasSubstr("transparent"));
}

float primary_a(const Features& f) { return f.vector[kColourOffset + 1]; }
float primary_b(const Features& f) { return f.vector[kColourOffset + 2]; }
float primary_l(const Features& f) { return f.vector[kColourOffset + 0]; }

TEST(OddButValidInput, CmykJpegIsConvertedToItsColour) {
  // Full magenta + yellow ink, no cyan: red.
  auto f = extractor.extract({testing::encode_cmyk_jpeg(64, 64, 0, 255, 255, 0)});
  EXPECT_GT(primary_a(f), 40);
  EXPECT_GT(primary_b(f), 20);
}

TEST(OddButValidInput, SixteenBitPngReadsLikeEightBit) {
  cv::Mat eight = testing::noise_texture({96, 96}, 6, {40, 90, 160}, 30, 3);
  cv::Mat sixteen;
  eight.convertTo(sixteen, CV_16U, 257);
  auto a = extractor.extract({encode(eight, ".png")});
  auto b = extractor.extract({encode(sixteen, ".png")});
  for (size_t i = 0; i < kDimension; ++i) EXPECT_NEAR(a.vector[i], b.vector[i], 0.5) << i;
}

TEST(OddButValidInput, GreyPngIsNeutral) {
  cv::Mat grey = testing::noise_texture({96, 96}, 6, {128, 128, 128}, 30, 3);
  cv::cvtColor(grey, grey, cv::COLOR_BGR2GRAY);
  auto f = extractor.extract({encode(grey, ".png")});
  EXPECT_NEAR(primary_a(f), 0, 1.0);
  EXPECT_NEAR(primary_b(f), 0, 1.0);
}

TEST(OddButValidInput, TransparentPixelsAreNotMaterial) {
  // Left half opaque blue, right half transparent red: only blue counts.
  cv::Mat bgra(96, 128, CV_8UC4, cv::Scalar(200, 60, 20, 255));
  bgra(cv::Rect(64, 0, 64, 96)).setTo(cv::Scalar(20, 20, 220, 0));
  auto f = extractor.extract({encode(bgra, ".png")});
  for (size_t i = 0; i < kColours; ++i) EXPECT_LT(f.vector[kColourOffset + i * kColourStride + 2], -30) << i;
  auto webp = extractor.extract({encode(bgra, ".webp", 101)});  // lossless WebP keeps alpha
  EXPECT_LT(primary_b(webp), -30);
  EXPECT_GT(primary_l(webp), 10);
}

}  // namespace
}  // namespace k9::vision
