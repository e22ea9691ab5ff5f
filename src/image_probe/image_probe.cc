#include "image_probe/image_probe.h"

#include <algorithm>
#include <array>
#include <optional>

namespace k9::image {

namespace {

uint32_t be16(std::string_view b, size_t i) { return (uint8_t(b[i]) << 8) | uint8_t(b[i + 1]); }
uint32_t be32(std::string_view b, size_t i) { return (be16(b, i) << 16) | be16(b, i + 2); }
uint32_t le16(std::string_view b, size_t i) { return uint8_t(b[i]) | (uint8_t(b[i + 1]) << 8); }
uint32_t le24(std::string_view b, size_t i) { return le16(b, i) | (uint8_t(b[i + 2]) << 16); }
uint32_t le32(std::string_view b, size_t i) { return le24(b, i) | (uint32_t(uint8_t(b[i + 3])) << 24); }

ProbeResult fail(ProbeStatus s, std::string message) { return {s, {}, std::move(message)}; }
ProbeResult found(ImageFormat f, uint32_t w, uint32_t h) { return {ProbeStatus::ok, {f, w, h}, ""}; }

uint32_t crc32(std::string_view data) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (char ch : data) c = table[(c ^ uint8_t(ch)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

bool is_sof(uint8_t m) {  // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC)
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

// Whether the file ends with EOI; with `trailer`, whether an EOI stands in its last 4 KiB.
bool ends_with_eoi(std::string_view b, bool trailer) {
  if (b.size() >= 4 && uint8_t(b[b.size() - 2]) == 0xFF && uint8_t(b[b.size() - 1]) == 0xD9) return true;
  if (!trailer) return false;
  for (size_t k = b.size() - std::min<size_t>(b.size(), 4096); k + 1 < b.size(); ++k)
    if (uint8_t(b[k]) == 0xFF && uint8_t(b[k + 1]) == 0xD9) return true;
  return false;
}

ProbeResult probe_jpeg(std::string_view b, bool trailer) {
  size_t i = 2;
  for (;;) {
    if (i >= b.size()) return fail(ProbeStatus::truncated, "JPEG is truncated before its frame header");
    if (uint8_t(b[i]) != 0xFF) return fail(ProbeStatus::malformed, "JPEG has bytes where a marker should be");
    while (i < b.size() && uint8_t(b[i]) == 0xFF) ++i;  // fill bytes
    if (i >= b.size()) return fail(ProbeStatus::truncated, "JPEG is truncated before its frame header");
    uint8_t marker = uint8_t(b[i++]);
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no length
    if (marker == 0xD8 || marker == 0xD9 || marker == 0xDA || marker == 0x00)
      return fail(ProbeStatus::malformed, "JPEG has no frame header before its image data");
    if (i + 2 > b.size()) return fail(ProbeStatus::truncated, "JPEG is truncated in a segment header");
    uint32_t length = be16(b, i);
    if (length < 2) return fail(ProbeStatus::malformed, "JPEG has a segment with an impossible length");
    if (i + length > b.size()) return fail(ProbeStatus::truncated, "JPEG is truncated inside a segment");
    if (is_sof(marker)) {
      if (length < 8) return fail(ProbeStatus::malformed, "JPEG frame header is too short");
      uint32_t height = be16(b, i + 3), width = be16(b, i + 5), components = uint8_t(b[i + 7]);
      if (components < 1 || components > 4 || length != 8 + 3 * components)
        return fail(ProbeStatus::malformed, "JPEG frame header has an invalid component count");
      if (width == 0 || height == 0)
        return fail(ProbeStatus::malformed, "JPEG frame header gives no width or height");
      if (!ends_with_eoi(b, trailer))
        return fail(ProbeStatus::truncated, "JPEG is truncated: it does not end with an end-of-image marker");
      return found(ImageFormat::jpeg, width, height);
    }
    i += length;
  }
}

ProbeResult probe_png(std::string_view b) {
  if (b.size() < 8 + 25) return fail(ProbeStatus::truncated, "PNG is truncated before its header ends");
  if (be32(b, 8) != 13 || b.substr(12, 4) != "IHDR")
    return fail(ProbeStatus::malformed, "PNG does not start with an IHDR chunk");
  if (crc32(b.substr(12, 17)) != be32(b, 29)) return fail(ProbeStatus::malformed, "PNG header fails its checksum");
  uint32_t width = be32(b, 16), height = be32(b, 20);
  uint8_t depth = uint8_t(b[24]), color = uint8_t(b[25]);
  if (width == 0 || height == 0 || width > 0x7FFFFFFF || height > 0x7FFFFFFF)
    return fail(ProbeStatus::malformed, "PNG header gives an invalid width or height");
  bool depth_ok = (color == 0 && (depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16)) ||
                  (color == 3 && (depth == 1 || depth == 2 || depth == 4 || depth == 8)) ||
                  ((color == 2 || color == 4 || color == 6) && (depth == 8 || depth == 16));
  if (!depth_ok || b[26] != 0 || b[27] != 0 || uint8_t(b[28]) > 1)
    return fail(ProbeStatus::malformed, "PNG header has an invalid colour type, bit depth or method");
  bool idat = false;
  for (size_t i = 33;;) {
    if (i + 12 > b.size()) return fail(ProbeStatus::truncated, "PNG is truncated: it does not end with IEND");
    uint64_t length = be32(b, i);
    if (length > 0x7FFFFFFF) return fail(ProbeStatus::malformed, "PNG has a chunk with an impossible length");
    if (i + 12 + length > b.size()) return fail(ProbeStatus::truncated, "PNG is truncated inside a chunk");
    std::string_view type = b.substr(i + 4, 4);
    if (type == "IDAT") idat = true;
    if (type == "IEND") {
      if (!idat) return fail(ProbeStatus::malformed, "PNG has no image data");
      return found(ImageFormat::png, width, height);
    }
    i += 12 + length;
  }
}

ProbeResult probe_webp(std::string_view b) {
  if (b.size() < 20) return fail(ProbeStatus::truncated, "WebP is truncated before its first chunk");
  uint64_t riff_end = uint64_t(le32(b, 4)) + 8;
  if (riff_end > b.size()) return fail(ProbeStatus::truncated, "WebP is truncated: shorter than its RIFF size");
  if (riff_end < 20) return fail(ProbeStatus::malformed, "WebP RIFF size is too small");
  std::string_view riff = b.substr(0, riff_end);
  std::optional<ProbeResult> first;
  for (size_t i = 12; i < riff.size();) {
    if (i + 8 > riff.size()) return fail(ProbeStatus::truncated, "WebP is truncated in a chunk header");
    std::string_view type = riff.substr(i, 4);
    uint64_t size = le32(riff, i + 4);
    if (i + 8 + size > riff.size()) return fail(ProbeStatus::truncated, "WebP is truncated inside a chunk");
    std::string_view data = riff.substr(i + 8, size);
    if (!first) {
      if (type == "VP8 ") {
        if (data.size() < 10) return fail(ProbeStatus::malformed, "WebP VP8 chunk is too short");
        if ((uint8_t(data[0]) & 1) != 0) return fail(ProbeStatus::malformed, "WebP VP8 data does not start with a key frame");
        if (uint8_t(data[3]) != 0x9D || uint8_t(data[4]) != 0x01 || uint8_t(data[5]) != 0x2A)
          return fail(ProbeStatus::malformed, "WebP VP8 key frame has no start code");
        uint32_t w = le16(data, 6) & 0x3FFF, h = le16(data, 8) & 0x3FFF;
        if (w == 0 || h == 0) return fail(ProbeStatus::malformed, "WebP VP8 frame gives no width or height");
        first = found(ImageFormat::webp, w, h);
      } else if (type == "VP8L") {
        if (data.size() < 5 || uint8_t(data[0]) != 0x2F)
          return fail(ProbeStatus::malformed, "WebP VP8L chunk has no signature");
        uint32_t bits = le32(data, 1);
        if ((bits >> 29) != 0) return fail(ProbeStatus::malformed, "WebP VP8L header has an unknown version");
        first = found(ImageFormat::webp, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
      } else if (type == "VP8X") {
        if (data.size() < 10) return fail(ProbeStatus::malformed, "WebP VP8X chunk is too short");
        first = found(ImageFormat::webp, le24(data, 4) + 1, le24(data, 7) + 1);
      } else {
        return fail(ProbeStatus::malformed, "WebP does not start with a VP8, VP8L or VP8X chunk");
      }
    }
    i += 8 + size + (size & 1);  // chunks are padded to even sizes
  }
  if (!first) return fail(ProbeStatus::malformed, "WebP has no image chunk");
  return *first;
}

}  // namespace

ProbeResult probe_image(std::string_view b, ProbeOptions options) {
  if (b.empty()) return fail(ProbeStatus::empty, "the body is empty; send the image's bytes");
  if (b.size() >= 3 && uint8_t(b[0]) == 0xFF && uint8_t(b[1]) == 0xD8 && uint8_t(b[2]) == 0xFF)
    return probe_jpeg(b, options.jpeg_trailer);
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return probe_png(b);
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return probe_webp(b);
  return fail(ProbeStatus::unknown_format, "the bytes are not a JPEG, PNG or WebP image");
}

namespace {

struct FormatNames {
  const char *media_type, *extension, *name;
};
const FormatNames& names_of(ImageFormat f) {
  static constexpr FormatNames kJpeg{"image/jpeg", "jpg", "JPEG"}, kPng{"image/png", "png", "PNG"},
      kWebp{"image/webp", "webp", "WebP"};
  return f == ImageFormat::png ? kPng : f == ImageFormat::webp ? kWebp : kJpeg;
}

}  // namespace

const char* media_type(ImageFormat f) { return names_of(f).media_type; }
const char* extension(ImageFormat f) { return names_of(f).extension; }
const char* format_name(ImageFormat f) { return names_of(f).name; }

}  // namespace k9::image
