// Image codecs without OpenCV's imgcodecs: JPEG through libjpeg-turbo, PNG through libpng,
// WebP through libwebp, straight into and out of cv::Mat. imgcodecs loads about 145 shared
// libraries (GDAL, poppler, HDF5, GDCM, ...) and tries its decoders in turn; here the caller
// names the format, and only that library sees the bytes.
//
// Decoders check the size the library reads from the header against `max_pixels` before
// allocating, turn every library error into CodecError (libjpeg's and libpng's error
// handlers longjmp back into the decoder, which frees everything: no exit(), no abort()),
// and apply the EXIF orientation of JPEG (APP1), PNG (eXIf) and WebP (EXIF chunk) files.
// Callers check their own limits first (vision/decode.h reads the header without any
// library).
#pragma once
#include <cstdint>
#include <opencv2/core.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace k9::codec {

// What the library said, e.g. "Corrupt JPEG data: bad Huffman code", "IDAT: CRC error".
class CodecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DecodeOptions {
  int scale_denom = 1;          // JPEG only: 1, 2, 4 or 8 (libjpeg's DCT scaling)
  bool grey = false;            // JPEG only: decode the luminance alone (CV_8UC1)
  bool apply_orientation = true;
  uint64_t max_pixels = 50'000'000;  // refused above this, before allocating
  int max_jpeg_scans = 300;     // a progressive JPEG may not have more (CPU bombs)
};

struct Decoded {
  cv::Mat pixels;
  int orientation = 1;  // the file's EXIF orientation (1-8), applied when options ask
};

// CV_8UC3 BGR, or CV_8UC1 when `grey`. Grey, YCbCr, CMYK and YCCK files (CMYK as Adobe
// writes it, inverted) are converted.
Decoded decode_jpeg(std::string_view bytes, const DecodeOptions& options = {});
// As stored, expanded to bytes: CV_8U or CV_16U; 1 (grey), 2 (grey + alpha), 3 (BGR) or 4
// (BGRA) channels. Palettes become BGR, tRNS becomes alpha.
Decoded decode_png(std::string_view bytes, const DecodeOptions& options = {});
// CV_8UC3 BGR, or CV_8UC4 BGRA when the file has alpha. Animated files are refused.
Decoded decode_webp(std::string_view bytes, const DecodeOptions& options = {});

// `image`: CV_8UC1 or CV_8UC3 (BGR). quality 1-100.
std::string encode_jpeg(const cv::Mat& image, int quality = 95);
// `image`: CV_8U or CV_16U with 1, 2, 3 (BGR) or 4 (BGRA) channels.
std::string encode_png(const cv::Mat& image);
// `image`: CV_8UC1, CV_8UC3 (BGR) or CV_8UC4 (BGRA). quality 1-100 is lossy, above 100 lossless.
std::string encode_webp(const cv::Mat& image, int quality = 95);

// The Orientation tag (0x0112) of IFD0 in a TIFF structure (an EXIF payload, with or without
// its "Exif\0\0" prefix); 1 when absent or not 1-8. Reads nothing outside `tiff`.
int exif_orientation(std::string_view tiff);
// Turns `image` upright for EXIF orientation 1-8 (5-8 swap width and height).
void apply_orientation(cv::Mat& image, int orientation);

}  // namespace k9::codec
