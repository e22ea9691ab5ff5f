// Decoding with the size bounded first: the header is read (image_probe/image_probe.h, the one
// header reader, which uploads use too) and checked against the limits before a pixel is allocated, then the image is decoded once by the library of its format
// (codec/codec.h: libjpeg-turbo, libpng, libwebp), EXIF orientation applied (JPEG, PNG and
// WebP), to 8-bit BGR (grey, 16-bit, palette and CMYK images are converted) plus its alpha
// channel if any.
// JPEGs are decoded at 1/2, 1/4 or 1/8 scale when asked (libjpeg's DCT scaling: a 12 MP
// photo analysed at 1000 x 750 never exists at full size in memory).
#pragma once
#include <opencv2/core.hpp>
#include <string_view>

#include "image_probe/image_probe.h"
#include "vision/extractor.h"

namespace k9::vision {

struct DecodedImage {
  cv::Mat bgr;        // CV_8UC3
  cv::Mat alpha;      // CV_8UC1, empty when the file has no alpha
  int reduction = 1;  // bgr is about full_size / reduction
  cv::Size full_size; // full-resolution size after EXIF orientation
};

// The format and size (as stored, before any EXIF orientation) from the header, without
// decoding; bytes after a JPEG's end marker are accepted (ProbeOptions::jpeg_trailer). Throws
// ImageError (empty, unsupported, truncated, corrupt) naming `what` ("image", "mask").
image::ImageInfo read_header(std::string_view bytes, const char* what);

// Throws ImageError(too_large | too_small) when the header breaks the limits.
void check_limits(const image::ImageInfo& h, size_t bytes, const ImageLimits& limits, const char* what);

// `reduction` is a wish (1, 2, 4 or 8), honoured for JPEGs; other formats decode at full size.
// Throws ImageError naming `what` ("image", "mask").
DecodedImage decode_image(std::string_view bytes, const ImageLimits& limits, int reduction, const char* what);

// The mask's material pixels (255) at `size`, from an encoded mask whose full size must be
// `full_size`. Throws ImageError(mask_size) naming both sizes.
cv::Mat decode_mask(std::string_view bytes, const ImageLimits& limits, int reduction, cv::Size full_size,
                    cv::Size size);

}  // namespace k9::vision
