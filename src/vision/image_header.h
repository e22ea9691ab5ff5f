// Reads an encoded image's header without decoding it: format, dimensions, channels, bit
// depth and whether the file is complete. This is what bounds the size before any pixel is
// allocated (a 100-byte PNG can claim 50000 x 50000 pixels).
#pragma once
#include <cstdint>
#include <string_view>

namespace k9::vision {

enum class ImageFormat { jpeg, png, webp };

struct ImageHeader {
  ImageFormat format = ImageFormat::jpeg;
  uint32_t width = 0, height = 0;  // as stored, before any EXIF orientation
  int channels = 0;                // JPEG: components (1 grey, 3 YCbCr, 4 CMYK); PNG: by colour type; WebP: 3 or 4
  int bit_depth = 8;
  bool has_alpha = false;
};

const char* format_name(ImageFormat f);

// Throws ImageError (empty, unsupported, corrupt, truncated). `what` names the input in
// messages ("image", "mask").
ImageHeader read_image_header(std::string_view bytes, const char* what = "image");

}  // namespace k9::vision
