// Test support: the smallest byte layouts of JPEG, PNG and WebP files that image_probe reads
// (headers and chunk structure; the compressed pixel data is filler, as the probe never
// decodes it). Header-only, for the tests of image_probe, uploads and the API.
#pragma once
#include <cstdint>
#include <string>

namespace k9::image::testing {

inline void put_be16(std::string& s, uint32_t v) { s += char(v >> 8), s += char(v); }
inline void put_be32(std::string& s, uint32_t v) { put_be16(s, v >> 16), put_be16(s, v & 0xFFFF); }
inline void put_le16(std::string& s, uint32_t v) { s += char(v), s += char(v >> 8); }
inline void put_le24(std::string& s, uint32_t v) { put_le16(s, v & 0xFFFF), s += char(v >> 16); }
inline void put_le32(std::string& s, uint32_t v) { put_le16(s, v & 0xFFFF), put_le16(s, v >> 16); }

inline uint32_t png_crc(const std::string& data) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char ch : data) {
    c ^= ch;
    for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xFFFFFFFFu;
}

inline void png_chunk(std::string& out, const std::string& type, const std::string& data) {
  put_be32(out, static_cast<uint32_t>(data.size()));
  std::string body = type + data;
  out += body;
  put_be32(out, png_crc(body));
}

// An 8-bit RGB PNG of w x h pixels whose IDAT holds `idat` (not a real deflate stream).
inline std::string png_bytes(uint32_t w, uint32_t h, const std::string& idat = std::string(64, '\x01')) {
  std::string out("\x89PNG\r\n\x1a\n", 8), ihdr;
  put_be32(ihdr, w);
  put_be32(ihdr, h);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);
  png_chunk(out, "IHDR", ihdr);
  png_chunk(out, "IDAT", idat);
  png_chunk(out, "IEND", "");
  return out;
}

// A baseline (sof = 0xC0) or progressive (0xC2) JPEG of w x h with an APP0 segment before the
// frame header and `scan_bytes` of entropy-coded filler before EOI.
inline std::string jpeg_bytes(uint32_t w, uint32_t h, unsigned char sof = 0xC0, size_t scan_bytes = 64) {
  std::string out("\xFF\xD8", 2);
  out += std::string("\xFF\xE0", 2);
  put_be16(out, 16);
  out += std::string("JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00", 14);
  out += char(0xFF), out += char(sof);
  put_be16(out, 17);
  out += char(8);
  put_be16(out, h);
  put_be16(out, w);
  out += char(3);
  for (int c = 1; c <= 3; ++c) out += char(c), out += char(0x11), out += char(0);
  out += std::string("\xFF\xDA", 2);
  put_be16(out, 12);
  out += char(3);
  for (int c = 1; c <= 3; ++c) out += char(c), out += char(0);
  out += std::string("\x00\x3F\x00", 3);
  for (size_t i = 0; i < scan_bytes; ++i) out += char(0x20 + i % 64);
  out += std::string("\xFF\xD9", 2);
  return out;
}

inline std::string riff_webp(const std::string& chunks) {
  std::string out = "RIFF";
  put_le32(out, static_cast<uint32_t>(4 + chunks.size()));
  return out + "WEBP" + chunks;
}

inline std::string webp_chunk(const std::string& type, const std::string& data) {
  std::string out = type;
  put_le32(out, static_cast<uint32_t>(data.size()));
  out += data;
  if (data.size() & 1) out += '\0';
  return out;
}

inline std::string webp_lossy_bytes(uint32_t w, uint32_t h) {
  std::string vp8("\x30\x01\x00\x9D\x01\x2A", 6);
  put_le16(vp8, w);
  put_le16(vp8, h);
  vp8 += std::string(21, '\x11');  // odd size: exercises padding
  return riff_webp(webp_chunk("VP8 ", vp8));
}

inline std::string webp_lossless_bytes(uint32_t w, uint32_t h) {
  std::string vp8l("\x2F", 1);
  put_le32(vp8l, (w - 1) | ((h - 1) << 14));
  vp8l += std::string(16, '\x22');
  return riff_webp(webp_chunk("VP8L", vp8l));
}

inline std::string webp_extended_bytes(uint32_t w, uint32_t h) {
  std::string vp8x("\x10\x00\x00\x00", 4);
  put_le24(vp8x, w - 1);
  put_le24(vp8x, h - 1);
  std::string inner = webp_lossless_bytes(1, 1).substr(12);  // a 1x1 VP8L chunk for the image data
  return riff_webp(webp_chunk("VP8X", vp8x) + webp_chunk("ALPH", std::string(5, '\x01')) + inner);
}

}  // namespace k9::image::testing
