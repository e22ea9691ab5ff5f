// WebP through libwebp (decode, encode) and libwebpdemux (the EXIF chunk). libwebp reports
// errors as status codes: no jumps needed.
#include <webp/decode.h>
#include <webp/demux.h>
#include <webp/encode.h>

#include <memory>
#include <opencv2/imgproc.hpp>

#include "codec/codec.h"

namespace k9::codec {

namespace {

const char* status_text(VP8StatusCode s) {
  switch (s) {
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_INVALID_PARAM: return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR: return "bitstream error";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported feature";
    case VP8_STATUS_SUSPENDED: return "suspended";
    case VP8_STATUS_USER_ABORT: return "aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "the data ends early";
    default: return "unknown error";
  }
}

int webp_orientation(const WebPData& data) {
  std::unique_ptr<WebPDemuxer, void (*)(WebPDemuxer*)> demux(WebPDemux(&data), WebPDemuxDelete);
  if (!demux || !(WebPDemuxGetI(demux.get(), WEBP_FF_FORMAT_FLAGS) & EXIF_FLAG)) return 1;
  WebPChunkIterator chunk;
  if (!WebPDemuxGetChunk(demux.get(), "EXIF", 1, &chunk)) return 1;
  int o = exif_orientation({reinterpret_cast<const char*>(chunk.chunk.bytes), chunk.chunk.size});
  WebPDemuxReleaseChunkIterator(&chunk);
  return o;
}

}  // namespace

Decoded decode_webp(std::string_view bytes, const DecodeOptions& options) {
  auto data = reinterpret_cast<const uint8_t*>(bytes.data());
  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) throw CodecError("libwebp version mismatch");
  if (VP8StatusCode s = WebPGetFeatures(data, bytes.size(), &config.input); s != VP8_STATUS_OK)
    throw CodecError(status_text(s));
  const WebPBitstreamFeatures& f = config.input;
  if (f.has_animation) throw CodecError("animated WebP is not supported");
  if (f.width <= 0 || f.height <= 0 || uint64_t(f.width) * uint64_t(f.height) > options.max_pixels)
    throw CodecError("the header claims " + std::to_string(f.width) + "x" + std::to_string(f.height) + " pixels");
  Decoded out;
  out.pixels.create(f.height, f.width, f.has_alpha ? CV_8UC4 : CV_8UC3);
  config.output.colorspace = f.has_alpha ? MODE_BGRA : MODE_BGR;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = out.pixels.data;
  config.output.u.RGBA.stride = int(out.pixels.step);
  config.output.u.RGBA.size = out.pixels.step * size_t(out.pixels.rows);
  VP8StatusCode s = WebPDecode(data, bytes.size(), &config);
  WebPFreeDecBuffer(&config.output);
  if (s != VP8_STATUS_OK) throw CodecError(status_text(s));
  WebPData whole{data, bytes.size()};
  out.orientation = webp_orientation(whole);
  if (options.apply_orientation) apply_orientation(out.pixels, out.orientation);
  return out;
}

std::string encode_webp(const cv::Mat& image, int quality) {
  if (image.empty() || image.depth() != CV_8U || image.channels() == 2 || image.channels() > 4)
    throw std::invalid_argument("encode_webp takes a non-empty CV_8UC1, CV_8UC3 or CV_8UC4 image");
  cv::Mat m = image;
  if (m.channels() == 1) cv::cvtColor(image, m, cv::COLOR_GRAY2BGR);
  uint8_t* buffer = nullptr;
  size_t size = 0;
  bool alpha = m.channels() == 4;
  int stride = int(m.step);
  if (quality > 100)
    size = alpha ? WebPEncodeLosslessBGRA(m.data, m.cols, m.rows, stride, &buffer)
                 : WebPEncodeLosslessBGR(m.data, m.cols, m.rows, stride, &buffer);
  else
    size = alpha ? WebPEncodeBGRA(m.data, m.cols, m.rows, stride, float(std::max(quality, 1)), &buffer)
                 : WebPEncodeBGR(m.data, m.cols, m.rows, stride, float(std::max(quality, 1)), &buffer);
  std::unique_ptr<uint8_t, void (*)(void*)> owned(buffer, WebPFree);
  if (size == 0) throw CodecError("libwebp could not encode a " + std::to_string(m.cols) + "x" + std::to_string(m.rows) + " image");
  return std::string(reinterpret_cast<const char*>(buffer), size);
}

}  // namespace k9::codec
