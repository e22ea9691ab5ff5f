// Reading what an image is from its first bytes, without decoding it: the format (sniffed
// from the bytes, never from a name or a header), the pixel size, and whether the file is
// whole. K9's one image-header reader: uploads refuse a decompression bomb (a few kilobytes
// that claim 30000x30000 pixels) with it before anything allocates for its pixels, and the
// analysis (vision/decode.h) bounds an image with it before decoding.
//
// Contract of probe_image():
//  - JPEG: SOI, then marker segments up to the first SOFn (baseline, extended, progressive,
//    lossless; Huffman or arithmetic), whose height and width are answered; the file must end
//    with EOI (a cut upload does not), and every segment before SOFn must fit in the file.
//    With ProbeOptions::jpeg_trailer, bytes after EOI (some cameras append data) are accepted
//    when an EOI stands within the last 4 KiB.
//  - PNG: the 8-byte signature, an IHDR first with a correct CRC and valid fields, then
//    chunks that each fit, at least one IDAT, and IEND.
//  - WebP: RIFF/WEBP whose RIFF size matches the file, then chunks that each fit; the size
//    comes from the first VP8 (lossy key frame), VP8L (lossless) or VP8X (extended canvas).
//  - Anything else is unknown_format; a cut file is truncated; a file whose structure is
//    wrong is malformed. The message says what was found, in words a user can act on.
//  - Reads only the bytes given; never allocates in proportion to the claimed pixel count.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace k9::image {

enum class ImageFormat { jpeg, png, webp };

struct ImageInfo {
  ImageFormat format = ImageFormat::jpeg;
  uint32_t width = 0, height = 0;
  uint64_t pixels() const { return uint64_t(width) * height; }
};

enum class ProbeStatus { ok, empty, unknown_format, truncated, malformed };

struct ProbeResult {
  ProbeStatus status = ProbeStatus::ok;
  ImageInfo info;       // when ok
  std::string message;  // when not ok
  bool ok() const { return status == ProbeStatus::ok; }
};

struct ProbeOptions {
  bool jpeg_trailer = false;  // accept data after a JPEG's end marker (see above)
};

ProbeResult probe_image(std::string_view bytes, ProbeOptions options = {});

const char* media_type(ImageFormat f);   // "image/jpeg", "image/png", "image/webp"
const char* extension(ImageFormat f);    // "jpg", "png", "webp"
const char* format_name(ImageFormat f);  // "JPEG", "PNG", "WebP"

}  // namespace k9::image
