// Which decoder gets the bytes: only the one of the format the header names.
// Regression for a fuzz/image_header.cc finding: a 140-byte "WebP" that libwebp's signature
// check refuses fell through cv::imdecode's decoder list to DICOM (GDCM), which abort()ed the
// process on it. Images are no longer decoded through OpenCV (codec/codec.h); the bytes must
// still be refused: the header reader (image_probe) does, before any decoder sees them.
#include <gtest/gtest.h>

#include "vision/decode.h"
#include "vision/image_error.h"

namespace k9::vision {
namespace {

TEST(DecoderDispatch, BytesThatDicomWouldClaimAreRefusedNotDecoded) {
  const std::string webp_with_dicm_at_128 =
      std::string("\x52\x49\x46\x46\x24") +
      std::string(3, '\0') +
      std::string("\x57\x45\x42\x50\x56\x50\x38\x58\x0a\x29\x89\x50") +
      std::string(72, '\0') +
      std::string("\x08") +
      std::string(16, '\0') +
      std::string("\xc3\x44\x49") +
      std::string(12, '\0') +
      std::string("\x70\x23\x80\xc3\x44\x49\x43\x4d\x44\x49\x43\x4d\x4f\x42\x7a") +
      std::string(1, '\0');
  ASSERT_EQ(webp_with_dicm_at_128.size(), 140u);
  ImageLimits limits;
  limits.min_side = 1;
  try {
    decode_image(webp_with_dicm_at_128, limits, 1, "image");
    FAIL() << "decoded";
  } catch (const ImageError& e) {
    EXPECT_EQ(e.kind(), ImageErrorKind::truncated) << e.what();
    EXPECT_NE(std::string(e.what()).find("WebP"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace k9::vision
