// JPEG through libjpeg-turbo. libjpeg reports errors through error_exit, which must not
// return: ours longjmps to the setjmp in the one function that calls into libjpeg (only
// trivially destructible locals live there), and the caller's guard destroys the codec.
#include <csetjmp>
#include <cstdio>
#include <jpeglib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <opencv2/imgproc.hpp>

#include "codec/codec.h"

namespace k9::codec {

namespace {

struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void error_exit(j_common_ptr c) {
  auto* e = reinterpret_cast<ErrorManager*>(c->err);
  c->err->format_message(c, e->message);
  std::longjmp(e->jump, 1);
}

// Warnings (extraneous bytes, a missing EOI) are counted by libjpeg and not printed; like
// OpenCV, the image is kept. Trace messages are dropped.
void output_message(j_common_ptr) {}

ErrorManager* init_errors(ErrorManager& e) {
  jpeg_std_error(&e.pub);
  e.pub.error_exit = error_exit;
  e.pub.output_message = output_message;
  e.message[0] = 0;
  return &e;
}

struct Progress {
  jpeg_progress_mgr pub;
  int max_scans;
};

// A progressive JPEG of a few kB can hold thousands of scans, each a pass over the image.
void check_scans(j_common_ptr c) {
  auto* d = reinterpret_cast<j_decompress_ptr>(c);
  auto* p = reinterpret_cast<Progress*>(c->progress);
  if (d->is_decompressor && d->input_scan_number > p->max_scans) {
    std::snprintf(reinterpret_cast<ErrorManager*>(c->err)->message, JMSG_LENGTH_MAX, "more than %d scans",
                  p->max_scans);
    std::longjmp(reinterpret_cast<ErrorManager*>(c->err)->jump, 2);
  }
}

struct DecodeState {
  const DecodeOptions* options;
  cv::Mat* out;
  cv::Mat* cmyk;
  int orientation;
};

// Returns 0 when decoded, else the longjmp code; only PODs live in this frame.
int run_decode(jpeg_decompress_struct* cinfo, ErrorManager* err, std::string_view bytes, DecodeState* s) {
  if (int code = setjmp(err->jump)) return code;
  jpeg_mem_src(cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
  jpeg_save_markers(cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_read_header(cinfo, TRUE);
  if (uint64_t(cinfo->image_width) * cinfo->image_height > s->options->max_pixels) {
    std::snprintf(err->message, JMSG_LENGTH_MAX, "the frame header claims %ux%u pixels", cinfo->image_width,
                  cinfo->image_height);
    return 3;
  }
  for (jpeg_saved_marker_ptr m = cinfo->marker_list; m; m = m->next)
    if (m->marker == JPEG_APP0 + 1 && m->data_length > 6 && std::memcmp(m->data, "Exif\0\0", 6) == 0) {
      s->orientation = exif_orientation({reinterpret_cast<const char*>(m->data), m->data_length});
      break;
    }
  cinfo->scale_num = 1;
  cinfo->scale_denom = s->options->scale_denom;
  bool four = cinfo->num_components == 4;
  if (four)
    cinfo->out_color_space = JCS_CMYK;  // libjpeg turns YCCK into CMYK
  else
    cinfo->out_color_space = s->options->grey ? JCS_GRAYSCALE : JCS_EXT_BGR;
  jpeg_start_decompress(cinfo);
  cv::Mat* target = four ? s->cmyk : s->out;
  target->create(int(cinfo->output_height), int(cinfo->output_width), CV_8UC(cinfo->output_components));
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = target->ptr<unsigned char>(int(cinfo->output_scanline));
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  return 0;
}

// Adobe's CMYK is stored inverted (255 = no ink): R = C' K' / 255 and so on.
void inverted_cmyk_to_bgr(const cv::Mat& cmyk, cv::Mat& bgr) {
  bgr.create(cmyk.size(), CV_8UC3);
  for (int y = 0; y < cmyk.rows; ++y) {
    const unsigned char* s = cmyk.ptr<unsigned char>(y);
    unsigned char* d = bgr.ptr<unsigned char>(y);
    for (int x = 0; x < cmyk.cols; ++x, s += 4, d += 3) {
      unsigned k = s[3];
      d[0] = static_cast<unsigned char>((s[2] * k + 127) / 255);
      d[1] = static_cast<unsigned char>((s[1] * k + 127) / 255);
      d[2] = static_cast<unsigned char>((s[0] * k + 127) / 255);
    }
  }
}

}  // namespace

Decoded decode_jpeg(std::string_view bytes, const DecodeOptions& options) {
  int denom = options.scale_denom;
  if (denom != 1 && denom != 2 && denom != 4 && denom != 8) throw std::invalid_argument("JPEG scale must be 1, 2, 4 or 8");
  jpeg_decompress_struct cinfo;
  ErrorManager err;
  cinfo.err = &init_errors(err)->pub;
  jpeg_create_decompress(&cinfo);
  std::unique_ptr<jpeg_decompress_struct, void (*)(jpeg_decompress_struct*)> guard(&cinfo, jpeg_destroy_decompress);
  Progress progress{};
  progress.pub.progress_monitor = check_scans;
  progress.max_scans = options.max_jpeg_scans;
  cinfo.progress = &progress.pub;

  Decoded out;
  cv::Mat cmyk;
  DecodeState state{&options, &out.pixels, &cmyk, 1};
  if (run_decode(&cinfo, &err, bytes, &state) != 0) throw CodecError(err.message);
  if (!cmyk.empty()) {
    inverted_cmyk_to_bgr(cmyk, out.pixels);
    if (options.grey) cv::cvtColor(out.pixels, out.pixels, cv::COLOR_BGR2GRAY);
  }
  out.orientation = state.orientation;
  if (options.apply_orientation) apply_orientation(out.pixels, out.orientation);
  return out;
}

namespace {

int run_encode(jpeg_compress_struct* cinfo, ErrorManager* err, const cv::Mat* image, int quality,
               unsigned char** buffer, unsigned long* size) {
  if (int code = setjmp(err->jump)) return code;
  jpeg_mem_dest(cinfo, buffer, size);
  cinfo->image_width = JDIMENSION(image->cols);
  cinfo->image_height = JDIMENSION(image->rows);
  cinfo->input_components = image->channels();
  cinfo->in_color_space = image->channels() == 1 ? JCS_GRAYSCALE : JCS_EXT_BGR;
  jpeg_set_defaults(cinfo);
  jpeg_set_quality(cinfo, quality, TRUE);
  jpeg_start_compress(cinfo, TRUE);
  while (cinfo->next_scanline < cinfo->image_height) {
    JSAMPROW row = const_cast<unsigned char*>(image->ptr<unsigned char>(int(cinfo->next_scanline)));
    jpeg_write_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_compress(cinfo);
  return 0;
}

}  // namespace

std::string encode_jpeg(const cv::Mat& image, int quality) {
  if (image.empty() || image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3))
    throw std::invalid_argument("encode_jpeg takes a non-empty CV_8UC1 or CV_8UC3 image");
  jpeg_compress_struct cinfo;
  ErrorManager err;
  cinfo.err = &init_errors(err)->pub;
  jpeg_create_compress(&cinfo);
  std::unique_ptr<jpeg_compress_struct, void (*)(jpeg_compress_struct*)> guard(&cinfo, jpeg_destroy_compress);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  int code = run_encode(&cinfo, &err, &image, std::clamp(quality, 1, 100), &buffer, &size);
  std::unique_ptr<unsigned char, void (*)(void*)> owned(buffer, std::free);
  if (code != 0) throw CodecError(err.message);
  return std::string(reinterpret_cast<char*>(buffer), size);
}

}  // namespace k9::codec
