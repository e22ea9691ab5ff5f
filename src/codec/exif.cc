// EXIF orientation: one tag of IFD0, read with every offset checked against the payload.
// Not libexif: it parses every IFD and maker note (a long CVE history) to give us one
// 16-bit value, and it would be one more library loaded by every process.
#include <opencv2/core.hpp>

#include "codec/codec.h"

namespace k9::codec {

int exif_orientation(std::string_view tiff) {
  if (tiff.substr(0, 6) == std::string_view("Exif\0\0", 6)) tiff.remove_prefix(6);
  auto d = reinterpret_cast<const unsigned char*>(tiff.data());
  size_t n = tiff.size();
  if (n < 8) return 1;
  bool little = d[0] == 'I' && d[1] == 'I';
  if (!little && !(d[0] == 'M' && d[1] == 'M')) return 1;
  auto u16 = [&](size_t at) -> uint32_t { return little ? d[at] | (d[at + 1] << 8) : (d[at] << 8) | d[at + 1]; };
  auto u32 = [&](size_t at) -> uint32_t { return little ? u16(at) | (u16(at + 2) << 16) : (u16(at) << 16) | u16(at + 2); };
  if (u16(2) != 42) return 1;
  size_t ifd = u32(4);
  if (ifd > n || n - ifd < 2) return 1;
  size_t entries = u16(ifd);
  for (size_t i = 0; i < entries; ++i) {
    size_t e = ifd + 2 + 12 * i;
    if (e > n || n - e < 12) return 1;
    if (u16(e) != 0x0112) continue;
    if (u16(e + 2) != 3 || u32(e + 4) < 1) return 1;  // SHORT, at least one value, stored inline
    uint32_t v = u16(e + 8);
    return v >= 1 && v <= 8 ? int(v) : 1;
  }
  return 1;
}

void apply_orientation(cv::Mat& m, int orientation) {
  switch (orientation) {
    case 2: cv::flip(m, m, 1); break;                          // mirrored left-right
    case 3: cv::rotate(m, m, cv::ROTATE_180); break;
    case 4: cv::flip(m, m, 0); break;                          // mirrored top-bottom
    case 5: cv::transpose(m, m); break;                        // mirrored along the main diagonal
    case 6: cv::rotate(m, m, cv::ROTATE_90_CLOCKWISE); break;
    case 7: cv::transpose(m, m); cv::flip(m, m, -1); break;    // along the other diagonal
    case 8: cv::rotate(m, m, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    default: break;
  }
}

}  // namespace k9::codec
