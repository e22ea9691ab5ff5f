#include "vision/decode.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "vision/image_error.h"

namespace k9::vision {

namespace {

std::string size_text(uint64_t w, uint64_t h) { return std::to_string(w) + "x" + std::to_string(h); }

int imread_flags(int reduction, bool grey) {
  switch (reduction) {
    case 2: return grey ? cv::IMREAD_REDUCED_GRAYSCALE_2 : cv::IMREAD_REDUCED_COLOR_2;
    case 4: return grey ? cv::IMREAD_REDUCED_GRAYSCALE_4 : cv::IMREAD_REDUCED_COLOR_4;
    case 8: return grey ? cv::IMREAD_REDUCED_GRAYSCALE_8 : cv::IMREAD_REDUCED_COLOR_8;
    default: return grey ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR;
  }
}

// cv::imdecode picks its decoder by signature, first match wins. Bytes that begin like a JPEG,
// PNG or WebP can still be claimed by one later decoder whose signature is not at the start:
// DICOM ("DICM" at offset 128, through GDCM, which abort()s on malformed input). A WebP that
// libwebp's header check refuses falls through to it. Such bytes are no image of ours.
bool another_decoder_could_claim(std::string_view bytes) {
  return bytes.size() >= 132 && bytes.substr(128, 4) == "DICM";
}

cv::Mat imdecode_or_throw(std::string_view bytes, int flags, const ImageHeader& h, const char* what) {
  if (another_decoder_could_claim(bytes))
    throw ImageError(ImageErrorKind::corrupt,
                     std::string("the ") + what + " is corrupt (not a " + format_name(h.format) + " file OpenCV would decode as one)");
  cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8U, const_cast<char*>(bytes.data()));
  cv::Mat m;
  try {
    m = cv::imdecode(buffer, flags);
  } catch (const cv::Exception&) {
    m.release();
  }
  if (m.empty())
    throw ImageError(ImageErrorKind::corrupt,
                     std::string("the ") + what + " is corrupt (its " + format_name(h.format) + " data cannot be decoded)");
  return m;
}

// Full-resolution size after orientation: EXIF may have turned the picture by 90 degrees.
cv::Size oriented_full_size(const ImageHeader& h, const cv::Mat& decoded, int reduction) {
  auto near = [&](int got, uint32_t full) { return std::abs(got - int((full + reduction - 1) / reduction)) <= 1; };
  bool turned = h.width != h.height && near(decoded.cols, h.height) && near(decoded.rows, h.width);
  return turned ? cv::Size(h.height, h.width) : cv::Size(h.width, h.height);
}

}  // namespace

void check_limits(const ImageHeader& h, size_t bytes, const ImageLimits& limits, const char* what) {
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
  ImageHeader h = read_image_header(bytes, what);
  check_limits(h, bytes.size(), limits, what);
  DecodedImage out;
  out.reduction = h.format == ImageFormat::jpeg ? reduction : 1;
  if (!h.has_alpha) {
    out.bgr = imdecode_or_throw(bytes, imread_flags(out.reduction, false), h, what);
  } else {
    // IMREAD_UNCHANGED keeps alpha (and does not apply EXIF, which OpenCV 4.6 reads only from JPEG).
    cv::Mat m = imdecode_or_throw(bytes, cv::IMREAD_UNCHANGED, h, what);
    if (m.depth() == CV_16U) m.convertTo(m, CV_8U, 1.0 / 257);
    if (m.depth() != CV_8U) throw ImageError(ImageErrorKind::unsupported, std::string("the ") + what + " has an unsupported sample type");
    std::vector<cv::Mat> planes;
    cv::split(m, planes);
    if (m.channels() == 4) {
      out.alpha = planes[3];
      planes.pop_back();
      cv::merge(planes, out.bgr);
    } else if (m.channels() == 2) {
      out.alpha = planes[1];
      cv::cvtColor(planes[0], out.bgr, cv::COLOR_GRAY2BGR);
    } else if (m.channels() == 1) {
      cv::cvtColor(m, out.bgr, cv::COLOR_GRAY2BGR);
    } else {
      out.bgr = m;
    }
  }
  out.full_size = oriented_full_size(h, out.bgr, out.reduction);
  return out;
}

cv::Mat decode_mask(std::string_view bytes, const ImageLimits& limits, int reduction, cv::Size full_size,
                    cv::Size size) {
  ImageHeader h = read_image_header(bytes, "mask");
  check_limits(h, bytes.size(), limits, "mask");
  int r = h.format == ImageFormat::jpeg ? reduction : 1;
  cv::Mat m = imdecode_or_throw(bytes, imread_flags(r, true), h, "mask");
  if (m.depth() == CV_16U) m.convertTo(m, CV_8U, 1.0 / 257, 0.999);  // any non-zero stays non-zero
  cv::Size mask_full = oriented_full_size(h, m, r);
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
