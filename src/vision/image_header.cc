#include "vision/image_header.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "vision/image_error.h"

namespace k9::vision {

namespace {

uint32_t be16(const unsigned char* p) { return (p[0] << 8) | p[1]; }
uint32_t be32(const unsigned char* p) { return (uint32_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3]; }
uint32_t le16(const unsigned char* p) { return p[0] | (p[1] << 8); }
uint32_t le24(const unsigned char* p) { return p[0] | (p[1] << 8) | (p[2] << 16); }
uint32_t le32(const unsigned char* p) { return le24(p) | (uint32_t(p[3]) << 24); }

[[noreturn]] void fail(ImageErrorKind kind, const char* what, const std::string& problem) {
  throw ImageError(kind, std::string("the ") + what + " " + problem);
}

bool is_sof(unsigned m) {
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

ImageHeader read_jpeg(const unsigned char* d, size_t n, const char* what) {
  ImageHeader h;
  h.format = ImageFormat::jpeg;
  size_t i = 2;
  for (;;) {
    while (i < n && d[i] == 0xFF) ++i;  // markers may be preceded by fill bytes
    if (i >= n) fail(ImageErrorKind::truncated, what, "is truncated (JPEG ends inside its headers)");
    if (d[i - 1] != 0xFF) fail(ImageErrorKind::corrupt, what, "is corrupt (bad JPEG marker)");
    unsigned marker = d[i++];
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) continue;  // no length
    if (marker == 0xD9 || marker == 0xDA) fail(ImageErrorKind::corrupt, what, "is corrupt (JPEG without a frame header)");
    if (i + 2 > n) fail(ImageErrorKind::truncated, what, "is truncated (JPEG ends inside its headers)");
    size_t len = be16(d + i);
    if (len < 2) fail(ImageErrorKind::corrupt, what, "is corrupt (bad JPEG segment length)");
    if (i + len > n) fail(ImageErrorKind::truncated, what, "is truncated (JPEG ends inside its headers)");
    if (is_sof(marker)) {
      if (len < 8) fail(ImageErrorKind::corrupt, what, "is corrupt (short JPEG frame header)");
      h.bit_depth = d[i + 2];
      h.height = be16(d + i + 3);
      h.width = be16(d + i + 5);
      h.channels = d[i + 7];
      break;
    }
    i += len;
  }
  // A complete JPEG ends with the EOI marker; some cameras append data after it.
  size_t tail = std::min<size_t>(n, 4096);
  bool eoi = false;
  for (size_t k = n - tail; k + 1 < n && !eoi; ++k) eoi = d[k] == 0xFF && d[k + 1] == 0xD9;
  if (!eoi) fail(ImageErrorKind::truncated, what, "is truncated (no JPEG end marker)");
  return h;
}

ImageHeader read_png(const unsigned char* d, size_t n, const char* what) {
  ImageHeader h;
  h.format = ImageFormat::png;
  if (n < 33) fail(ImageErrorKind::truncated, what, "is truncated (PNG ends inside its header)");
  if (std::memcmp(d + 12, "IHDR", 4) != 0) fail(ImageErrorKind::corrupt, what, "is corrupt (PNG without IHDR)");
  h.width = be32(d + 16);
  h.height = be32(d + 20);
  h.bit_depth = d[24];
  switch (d[25]) {
    case 0: h.channels = 1; break;
    case 2: h.channels = 3; break;
    case 3: h.channels = 3; break;
    case 4: h.channels = 2; h.has_alpha = true; break;
    case 6: h.channels = 4; h.has_alpha = true; break;
    default: fail(ImageErrorKind::corrupt, what, "is corrupt (unknown PNG colour type)");
  }
  size_t i = 8;
  bool end = false;
  while (!end) {
    if (i + 12 > n) fail(ImageErrorKind::truncated, what, "is truncated (PNG ends before its IEND chunk)");
    size_t len = be32(d + i);
    if (len > n || i + 12 + len > n) fail(ImageErrorKind::truncated, what, "is truncated (PNG ends inside a chunk)");
    if (std::memcmp(d + i + 4, "tRNS", 4) == 0) h.has_alpha = true;
    end = std::memcmp(d + i + 4, "IEND", 4) == 0;
    i += 12 + len;
  }
  return h;
}

ImageHeader read_webp(const unsigned char* d, size_t n, const char* what) {
  ImageHeader h;
  h.format = ImageFormat::webp;
  h.channels = 3;
  if (n < 30) fail(ImageErrorKind::truncated, what, "is truncated (WebP ends inside its header)");
  if (size_t(le32(d + 4)) + 8 > n) fail(ImageErrorKind::truncated, what, "is truncated (WebP shorter than its RIFF size)");
  const unsigned char* c = d + 12;
  const unsigned char* p = c + 8;
  if (std::memcmp(c, "VP8 ", 4) == 0) {
    if (p[3] != 0x9d || p[4] != 0x01 || p[5] != 0x2a) fail(ImageErrorKind::corrupt, what, "is corrupt (bad VP8 start code)");
    h.width = le16(p + 6) & 0x3fff;
    h.height = le16(p + 8) & 0x3fff;
  } else if (std::memcmp(c, "VP8L", 4) == 0) {
    if (p[0] != 0x2f) fail(ImageErrorKind::corrupt, what, "is corrupt (bad VP8L signature)");
    uint32_t bits = le32(p + 1);
    h.width = (bits & 0x3fff) + 1;
    h.height = ((bits >> 14) & 0x3fff) + 1;
    h.has_alpha = (bits >> 28) & 1;
  } else if (std::memcmp(c, "VP8X", 4) == 0) {
    h.has_alpha = p[0] & 0x10;
    h.width = le24(p + 4) + 1;
    h.height = le24(p + 7) + 1;
  } else {
    fail(ImageErrorKind::corrupt, what, "is corrupt (unknown WebP chunk)");
  }
  if (h.has_alpha) h.channels = 4;
  return h;
}

}  // namespace

const char* format_name(ImageFormat f) {
  switch (f) {
    case ImageFormat::jpeg: return "JPEG";
    case ImageFormat::png: return "PNG";
    case ImageFormat::webp: return "WebP";
  }
  return "?";
}

ImageHeader read_image_header(std::string_view bytes, const char* what) {
  auto d = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  if (n == 0) fail(ImageErrorKind::empty, what, "is empty (0 bytes)");
  ImageHeader h;
  if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) {
    h = read_jpeg(d, n, what);
  } else if (n >= 8 && std::memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) {
    h = read_png(d, n, what);
  } else if (n >= 12 && std::memcmp(d, "RIFF", 4) == 0 && std::memcmp(d + 8, "WEBP", 4) == 0) {
    h = read_webp(d, n, what);
  } else {
    fail(ImageErrorKind::unsupported, what, "is not a JPEG, PNG or WebP file");
  }
  if (h.width == 0 || h.height == 0) fail(ImageErrorKind::corrupt, what, "is corrupt (zero width or height)");
  return h;
}

}  // namespace k9::vision
