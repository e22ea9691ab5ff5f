#include "vision/decode.h"

#include <opencv2/imgproc.hpp>
#include <string>

#include "codec/codec.h"
#include "vision/image_error.h"

namespace k9::vision {

using image::ImageFormat;
using image::ImageInfo;

namespace {

std::string size_text(uint64_t w, uint64_t h) { return std::to_string(w) + "x" + std::to_string(h); }

// Only the library of the format the header named sees the bytes (no decoder list to fall
// through: a fuzzed "WebP" once reached OpenCV's DICOM decoder, which abort()ed).
codec::Decoded decode_or_throw(std::string_view bytes, const ImageInfo& h, int reduction, bool grey,
                               const ImageLimits& limits, const char* what) {
  codec::DecodeOptions options;
  options.scale_denom = h.format == ImageFormat::jpeg ? reduction : 1;
  options.grey = grey;
  options.max_pixels = limits.max_pixels;
  try {
    switch (h.format) {
      case ImageFormat::jpeg: return codec::decode_jpeg(bytes, options);
      case ImageFormat::png: return codec::decode_png(bytes, options);
      case ImageFormat::webp: return codec::decode_webp(bytes, options);
    }
  } catch (const codec::CodecError& e) {
    throw ImageError(ImageErrorKind::corrupt, std::string("the ") + what + " is corrupt (its " + image::format_name(h.format) +
                                                  " data cannot be decoded: " + e.what() + ")");
  }
  throw ImageError(ImageErrorKind::unsupported, std::string("the ") + what + " has an unknown format");
}

// Full-resolution size after orientation: EXIF orientations 5-8 turn the picture by 90 degrees.
cv::Size oriented_full_size(const ImageInfo& h, int orientation) {
  return orientation >= 5 ? cv::Size(h.height, h.width) : cv::Size(h.width, h.height);
}

}  // namespace

ImageInfo read_header(std::string_view bytes, const char* what) {
  auto r = image::probe_image(bytes, {.jpeg_trailer = true});
  std::string name = std::string("the ") + what;
  switch (r.status) {
    case image::ProbeStatus::ok: return r.info;
    case image::ProbeStatus::empty: throw ImageError(ImageErrorKind::empty, name + " is empty (0 bytes)");
    case image::ProbeStatus::unknown_format:
      throw ImageError(ImageErrorKind::unsupported, name + " is not a JPEG, PNG or WebP file");
    case image::ProbeStatus::truncated: throw ImageError(ImageErrorKind::truncated, name + " is truncated (" + r.message + ")");
    case image::ProbeStatus::malformed: break;
  }
  throw ImageError(ImageErrorKind::corrupt, name + " is corrupt (" + r.message + ")");
}

void check_limits(const ImageInfo& h, size_t bytes, const ImageLimits& limits, const char* what) {
  std::string name = std::string("the ") + what;
  if (bytes > limits.max_bytes)
    throw ImageError(ImageErrorKind::too_large, name + " is too large (" + std::to_string(bytes) + " bytes; at most " +
                                                    std::to_string(limits.max_bytes) + ")");
  if (h.width > limits.max_side || h.height > limits.max_side ||
      uint64_t(h.width) * h.height > limits.max_pixels)
    throw ImageError(ImageErrorKind::too_large,
                     name + " is too large (" + size_text(h.width, h.height) + " pixels; at most " +
                         std::to_string(limits.max_side) + " a side and " + std::to_string(limits.max_pixels / 1000000) +
                         " megapixels): refused before decoding");
  if (h.width < limits.min_side || h.height < limits.min_side)
    throw ImageError(ImageErrorKind::too_small, name + " is too small (" + size_text(h.width, h.height) +
                                                    " pixels; at least " + std::to_string(limits.min_side) + " a side)");
}

DecodedImage decode_image(std::string_view bytes, const ImageLimits& limits, int reduction, const char* what) {
  ImageInfo h = read_header(bytes, what);
  check_limits(h, bytes.size(), limits, what);
  DecodedImage out;
  out.reduction = h.format == ImageFormat::jpeg ? reduction : 1;
  codec::Decoded d = decode_or_throw(bytes, h, reduction, false, limits, what);
  cv::Mat& m = d.pixels;
  if (m.depth() == CV_16U) m.convertTo(m, CV_8U, 1.0 / 257);
  if (m.depth() != CV_8U) throw ImageError(ImageErrorKind::unsupported, std::string("the ") + what + " has an unsupported sample type");
  switch (m.channels()) {
    case 1: cv::cvtColor(m, out.bgr, cv::COLOR_GRAY2BGR); break;
    case 2: {
      cv::Mat planes[2];
      cv::split(m, planes);
      cv::cvtColor(planes[0], out.bgr, cv::COLOR_GRAY2BGR);
      out.alpha = planes[1];
      break;
    }
    case 4: {
      out.alpha.create(m.size(), CV_8UC1);
      out.bgr.create(m.size(), CV_8UC3);
      cv::Mat outs[] = {out.bgr, out.alpha};
      int from_to[] = {0, 0, 1, 1, 2, 2, 3, 3};
      cv::mixChannels(&m, 1, outs, 2, from_to, 4);
      break;
    }
    default: out.bgr = m;
  }
  out.full_size = oriented_full_size(h, d.orientation);
  return out;
}

cv::Mat decode_mask(std::string_view bytes, const ImageLimits& limits, int reduction, cv::Size full_size,
                    cv::Size size) {
  ImageInfo h = read_header(bytes, "mask");
  check_limits(h, bytes.size(), limits, "mask");
  codec::Decoded d = decode_or_throw(bytes, h, reduction, true, limits, "mask");
  cv::Mat m = d.pixels;
  if (m.depth() == CV_16U) m.convertTo(m, CV_8U, 1.0 / 257, 0.999);  // any non-zero stays non-zero
  if (m.channels() == 2) cv::extractChannel(m, m, 0);  // grey + alpha: the grey
  if (m.channels() == 3) cv::cvtColor(m, m, cv::COLOR_BGR2GRAY);
  if (m.channels() == 4) cv::cvtColor(m, m, cv::COLOR_BGRA2GRAY);
  cv::Size mask_full = oriented_full_size(h, d.orientation);
  if (mask_full != full_size)
    throw ImageError(ImageErrorKind::mask_size, "the mask is " + size_text(mask_full.width, mask_full.height) +
                                                    " pixels but the image is " +
                                                    size_text(full_size.width, full_size.height) + "; they must match");
  if (m.size() != size) cv::resize(m, m, size, 0, 0, cv::INTER_NEAREST);
  cv::Mat material;
  cv::compare(m, 0, material, cv::CMP_GT);
  return material;
}

}  // namespace k9::vision
