#include "image_probe/image_probe.h"

#include <gtest/gtest.h>

#include <random>

#include "image_probe/test_images.h"

namespace k9::image {
namespace {

using namespace k9::image::testing;

void expect_image(const std::string& bytes, ImageFormat f, uint32_t w, uint32_t h) {
  auto r = probe_image(bytes);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.info.format, f);
  EXPECT_EQ(r.info.width, w);
  EXPECT_EQ(r.info.height, h);
}

void expect_refused(const std::string& bytes, ProbeStatus s, const std::string& words) {
  auto r = probe_image(bytes);
  EXPECT_EQ(r.status, s) << r.message;
  EXPECT_NE(r.message.find(words), std::string::npos) << r.message;
}

TEST(ImageProbe, ReadsTheSizeOfEachFormatFromItsHeader) {
  expect_image(jpeg_bytes(640, 480), ImageFormat::jpeg, 640, 480);
  expect_image(jpeg_bytes(65535, 1, 0xC2), ImageFormat::jpeg, 65535, 1);
  expect_image(jpeg_bytes(3, 65535, 0xC1), ImageFormat::jpeg, 3, 65535);
  expect_image(png_bytes(1, 1), ImageFormat::png, 1, 1);
  expect_image(png_bytes(4000, 3000), ImageFormat::png, 4000, 3000);
  expect_image(webp_lossy_bytes(800, 600), ImageFormat::webp, 800, 600);
  expect_image(webp_lossless_bytes(16383, 2), ImageFormat::webp, 16383, 2);
  expect_image(webp_extended_bytes(16777216, 3), ImageFormat::webp, 16777216, 3);
}

TEST(ImageProbe, AnswersADecompressionBombsClaimedSizeFromAFewBytes) {
  std::string bomb = png_bytes(30000, 30000, std::string(2000, '\0'));
  EXPECT_LT(bomb.size(), 4096u);
  auto r = probe_image(bomb);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.info.pixels(), 900'000'000u);
}

TEST(ImageProbe, SniffsTheBytesNotTheName) {
  expect_refused("this is a text file named photo.jpg\n", ProbeStatus::unknown_format, "not a JPEG, PNG or WebP");
  expect_refused("GIF89a\x01\x00\x01\x00", ProbeStatus::unknown_format, "not a JPEG, PNG or WebP");
  expect_refused("<svg xmlns='http://www.w3.org/2000/svg'/>", ProbeStatus::unknown_format, "not a JPEG");
  expect_refused("RIFF\x04\x00\x00\x00WAVE", ProbeStatus::unknown_format, "not a JPEG");
  expect_refused("", ProbeStatus::empty, "empty");
}

TEST(ImageProbe, EveryCutOfAValidImageIsRefused) {
  for (const std::string& whole : {jpeg_bytes(10, 20), png_bytes(10, 20), webp_lossy_bytes(10, 20),
                                   webp_lossless_bytes(10, 20), webp_extended_bytes(10, 20)}) {
    ASSERT_TRUE(probe_image(whole).ok());
    for (size_t n = 0; n < whole.size(); ++n) {
      auto r = probe_image(whole.substr(0, n));
      EXPECT_FALSE(r.ok()) << "a cut at " << n << " of " << whole.size() << " bytes was accepted";
      EXPECT_FALSE(r.message.empty());
    }
  }
}

TEST(ImageProbe, ATruncatedJpegIsRefusedEvenWithItsHeaderWhole) {
  std::string jpeg = jpeg_bytes(1024, 768, 0xC0, 5000);
  expect_refused(jpeg.substr(0, jpeg.size() / 2), ProbeStatus::truncated, "end-of-image marker");
  expect_refused(jpeg.substr(0, 30), ProbeStatus::truncated, "truncated");
}

TEST(ImageProbe, DataAfterAJpegsEndMarkerOnlyWithTheTrailerOption) {
  std::string jpeg = jpeg_bytes(64, 48) + "camera maker's trailer";
  expect_refused(jpeg, ProbeStatus::truncated, "end-of-image marker");
  auto r = probe_image(jpeg, {.jpeg_trailer = true});
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.info.width, 64u);
  std::string far = jpeg_bytes(64, 48) + std::string(5000, 'x');  // the marker is not in the last 4 KiB
  EXPECT_EQ(probe_image(far, {.jpeg_trailer = true}).status, ProbeStatus::truncated);
  std::string cut = jpeg_bytes(64, 48, 0xC0, 300);
  EXPECT_EQ(probe_image(cut.substr(0, cut.size() - 2), {.jpeg_trailer = true}).status, ProbeStatus::truncated);
}

TEST(ImageProbe, RefusesMalformedJpegs) {
  std::string j = jpeg_bytes(8, 8);
  std::string no_frame("\xFF\xD8\xFF\xDA\x00\x02\xFF\xD9", 8);
  expect_refused(no_frame, ProbeStatus::malformed, "no frame header");
  std::string zero_height = j;
  zero_height[2 + 2 + 16 + 5] = 0, zero_height[2 + 2 + 16 + 6] = 0;  // SOF height
  expect_refused(zero_height, ProbeStatus::malformed, "no width or height");
  std::string bad_length = j;
  bad_length[4] = 0, bad_length[5] = 1;  // APP0 length 1
  expect_refused(bad_length, ProbeStatus::malformed, "impossible length");
  std::string garbage = j;
  garbage[20] = 'x';  // where the SOF marker should start
  expect_refused(garbage, ProbeStatus::malformed, "where a marker should be");
  std::string filled = j.substr(0, 20) + std::string(5, '\xFF') + j.substr(21);  // fill bytes before a marker
  expect_image(filled, ImageFormat::jpeg, 8, 8);
}

TEST(ImageProbe, RefusesMalformedPngs) {
  std::string p = png_bytes(5, 5);
  std::string bad_crc = p;
  bad_crc[16] ^= 1;  // width changed, CRC not
  expect_refused(bad_crc, ProbeStatus::malformed, "checksum");
  std::string out("\x89PNG\r\n\x1a\n", 8), ihdr;
  put_be32(ihdr, 5), put_be32(ihdr, 5);
  ihdr += std::string("\x10\x03\x00\x00\x00", 5);  // 16-bit palette: not allowed
  png_chunk(out, "IHDR", ihdr);
  png_chunk(out, "IDAT", "x");
  png_chunk(out, "IEND", "");
  expect_refused(out, ProbeStatus::malformed, "colour type");
  std::string no_idat("\x89PNG\r\n\x1a\n", 8);
  ihdr.clear();
  put_be32(ihdr, 5), put_be32(ihdr, 5);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);
  png_chunk(no_idat, "IHDR", ihdr);
  png_chunk(no_idat, "IEND", "");
  expect_refused(no_idat, ProbeStatus::malformed, "no image data");
  expect_refused(png_bytes(0, 5), ProbeStatus::malformed, "width or height");
  expect_refused(png_bytes(0x80000000u, 5), ProbeStatus::malformed, "width or height");
  std::string huge_chunk = p.substr(0, 33);
  put_be32(huge_chunk, 0xFFFFFFF0u);
  huge_chunk += "IDAT";
  expect_refused(huge_chunk + std::string(100, 'x'), ProbeStatus::malformed, "impossible length");
}

TEST(ImageProbe, RefusesMalformedWebps) {
  std::string w = webp_lossy_bytes(9, 9);
  std::string longer = w;
  longer[4] += 2;  // RIFF claims more than the file has
  expect_refused(longer, ProbeStatus::truncated, "RIFF size");
  std::string inter = w;
  inter[20] |= 1;  // not a key frame
  expect_refused(inter, ProbeStatus::malformed, "key frame");
  std::string no_start = w;
  no_start[23] = 0;
  expect_refused(no_start, ProbeStatus::malformed, "start code");
  expect_refused(riff_webp(webp_chunk("EXIF", "abcd")), ProbeStatus::malformed, "does not start with");
  std::string v = webp_lossless_bytes(9, 9);
  v[20] = 0x2E;
  expect_refused(v, ProbeStatus::malformed, "signature");
}

TEST(ImageProbe, RandomBytesBehindEachMagicNeverCrashOrPass) {
  std::mt19937 rng(42);
  std::vector<std::string> magics{std::string("\xFF\xD8\xFF", 3), std::string("\x89PNG\r\n\x1a\n", 8),
                                  std::string("RIFF\x40\x00\x00\x00WEBP", 12)};
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s = magics[i % 3];
    size_t n = rng() % 200;
    for (size_t k = 0; k < n; ++k) s += char(rng());
    auto r = probe_image(s);
    if (r.ok()) ++accepted;
    else EXPECT_FALSE(r.message.empty());
  }
  EXPECT_LT(accepted, 20) << "random bytes should almost never look like a whole image";
}

TEST(ImageProbe, NamesMediaTypesAndExtensions) {
  EXPECT_STREQ(media_type(ImageFormat::jpeg), "image/jpeg");
  EXPECT_STREQ(media_type(ImageFormat::png), "image/png");
  EXPECT_STREQ(media_type(ImageFormat::webp), "image/webp");
  EXPECT_STREQ(extension(ImageFormat::jpeg), "jpg");
  EXPECT_STREQ(extension(ImageFormat::webp), "webp");
  EXPECT_STREQ(format_name(ImageFormat::png), "PNG");
  EXPECT_STREQ(format_name(ImageFormat::webp), "WebP");
}

}  // namespace
}  // namespace k9::image
