// Test support (header-only, for the codec's and the vision tests): JPEGs written straight with
// libjpeg, where encode_jpeg() cannot make them (CMYK, progressive), every row the same.
#pragma once
#include <jpeglib.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace k9::codec::testing {

struct JpegLayout {
  int width = 64, height = 64;
  int components = 3;
  J_COLOR_SPACE space = JCS_RGB;
  bool progressive = false;  // libjpeg's simple progression
  int quality = 0;           // 0: libjpeg's default (75)
};

// Every row is `row` (width x components samples).
inline std::string uniform_jpeg(const JpegLayout& l, std::vector<unsigned char> row) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  unsigned char* out = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &out, &size);
  cinfo.image_width = l.width, cinfo.image_height = l.height;
  cinfo.input_components = l.components, cinfo.in_color_space = l.space;
  jpeg_set_defaults(&cinfo);
  if (l.quality) jpeg_set_quality(&cinfo, l.quality, TRUE);
  if (l.progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW r = row.data();
    jpeg_write_scanlines(&cinfo, &r, 1);
  }
  jpeg_finish_compress(&cinfo);
  std::string bytes(reinterpret_cast<char*>(out), size);
  jpeg_destroy_compress(&cinfo);
  std::free(out);
  return bytes;
}

}  // namespace k9::codec::testing
