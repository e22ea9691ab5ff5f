// PNG through libpng. Its error callback must not return: ours keeps the message and
// longjmps to the setjmp(png_jmpbuf) in the one function that calls into libpng (only
// trivially destructible locals live there); the caller's guard destroys the structs.
#include <png.h>

#include <bit>
#include <cstdio>
#include <cstring>
#include <memory>

#include "codec/codec.h"

namespace k9::codec {

namespace {

struct Context {
  const unsigned char* data = nullptr;  // reading
  size_t size = 0, pos = 0;
  std::string* out = nullptr;           // writing
  char message[200] = "";
};

[[noreturn]] void on_error(png_structp png, png_const_charp message) {
  auto* c = static_cast<Context*>(png_get_error_ptr(png));
  std::snprintf(c->message, sizeof c->message, "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}  // ancillary chunks with bad CRCs are dropped

void read_bytes(png_structp png, png_bytep to, size_t n) {
  auto* c = static_cast<Context*>(png_get_io_ptr(png));
  if (n > c->size - c->pos) png_error(png, "the data ends early");
  std::memcpy(to, c->data + c->pos, n);
  c->pos += n;
}

void write_bytes(png_structp png, png_bytep from, size_t n) {
  auto* c = static_cast<Context*>(png_get_io_ptr(png));
  try {
    c->out->append(reinterpret_cast<const char*>(from), n);
  } catch (...) {
    png_error(png, "out of memory");
  }
}

void flush_nothing(png_structp) {}

struct DecodeState {
  const DecodeOptions* options;
  cv::Mat* out;
  int orientation;
};

// Returns 0 when decoded; only PODs live in this frame.
int run_decode(png_structp png, png_infop info, Context* c, DecodeState* s) {
  if (setjmp(png_jmpbuf(png))) return 1;
  png_set_read_fn(png, c, read_bytes);
  png_read_info(png, info);
  png_uint_32 width = 0, height = 0;
  int depth = 0, colour = 0;
  png_get_IHDR(png, info, &width, &height, &depth, &colour, nullptr, nullptr, nullptr);
  if (uint64_t(width) * height > s->options->max_pixels) {
    std::snprintf(c->message, sizeof c->message, "the header claims %ux%u pixels", width, height);
    return 2;
  }
  png_uint_32 exif_size = 0;
  png_bytep exif = nullptr;
  if (png_get_eXIf_1(png, info, &exif_size, &exif) && exif)
    s->orientation = exif_orientation({reinterpret_cast<const char*>(exif), exif_size});
  if (colour == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (colour == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (depth == 16 && std::endian::native == std::endian::little) png_set_swap(png);  // PNG is big-endian
  png_set_bgr(png);
  int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  int type = CV_MAKETYPE(png_get_bit_depth(png, info) == 16 ? CV_16U : CV_8U, png_get_channels(png, info));
  s->out->create(int(height), int(width), type);
  for (int pass = 0; pass < passes; ++pass)
    for (int y = 0; y < int(height); ++y) png_read_row(png, s->out->ptr<unsigned char>(y), nullptr);
  png_read_end(png, nullptr);
  return 0;
}

int run_encode(png_structp png, png_infop info, Context* c, const cv::Mat* image) {
  if (setjmp(png_jmpbuf(png))) return 1;
  png_set_write_fn(png, c, write_bytes, flush_nothing);
  png_set_compression_level(png, 1);  // as OpenCV did: encoding speed over size
  static const int colour[] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                               PNG_COLOR_TYPE_RGB_ALPHA};
  png_set_IHDR(png, info, png_uint_32(image->cols), png_uint_32(image->rows), image->depth() == CV_16U ? 16 : 8,
               colour[image->channels()], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  if (image->channels() >= 3) png_set_bgr(png);
  if (image->depth() == CV_16U && std::endian::native == std::endian::little) png_set_swap(png);
  for (int y = 0; y < image->rows; ++y) png_write_row(png, image->ptr<unsigned char>(y));
  png_write_end(png, nullptr);
  return 0;
}

}  // namespace

Decoded decode_png(std::string_view bytes, const DecodeOptions& options) {
  Context c;
  c.data = reinterpret_cast<const unsigned char*>(bytes.data());
  c.size = bytes.size();
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &c, on_error, on_warning);
  if (!png) throw std::bad_alloc();
  png_infop info = png_create_info_struct(png);
  auto destroy = [&](void*) { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); };
  std::unique_ptr<void, decltype(destroy)> guard(png, destroy);
  if (!info) throw std::bad_alloc();
  Decoded out;
  DecodeState state{&options, &out.pixels, 1};
  if (run_decode(png, info, &c, &state) != 0) throw CodecError(c.message);
  out.orientation = state.orientation;
  if (options.apply_orientation) apply_orientation(out.pixels, out.orientation);
  return out;
}

std::string encode_png(const cv::Mat& image) {
  if (image.empty() || (image.depth() != CV_8U && image.depth() != CV_16U) || image.channels() > 4)
    throw std::invalid_argument("encode_png takes a non-empty 8- or 16-bit image of 1 to 4 channels");
  std::string out;
  Context c;
  c.out = &out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &c, on_error, on_warning);
  if (!png) throw std::bad_alloc();
  png_infop info = png_create_info_struct(png);
  auto destroy = [&](void*) { png_destroy_write_struct(&png, info ? &info : nullptr); };
  std::unique_ptr<void, decltype(destroy)> guard(png, destroy);
  if (!info) throw std::bad_alloc();
  if (run_encode(png, info, &c, &image) != 0) throw CodecError(c.message);
  return out;
}

}  // namespace k9::codec
