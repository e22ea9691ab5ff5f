// Image headers (JPEG, PNG, WebP) as report images arrive: read_header (image_probe's reader), and
// when the header passes small limits, the bounded decode. Allowed outcome: an image, or
// vision::ImageError; nothing bigger than the limits is ever decoded.
#include "fuzz_support.h"
#include "vision/decode.h"
#include "vision/image_error.h"

using namespace k9::vision;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes = k9::fuzz::as_text(data, size);
  k9::image::ImageInfo h;
  try {
    h = read_header(bytes, "image");
  } catch (const ImageError&) {
    return 0;
  }
  k9::fuzz::check(h.width > 0 && h.height > 0, "a header with an empty side passed");
  ImageLimits limits;
  limits.max_side = 512;
  limits.max_pixels = 128 * 128;
  limits.min_side = 1;
  try {
    auto img = decode_image(bytes, limits, 1, "image");
    k9::fuzz::check(static_cast<uint64_t>(img.bgr.cols) * img.bgr.rows <= limits.max_pixels,
                    "decoded more pixels than the limits allow");
  } catch (const ImageError&) {
  }
  return 0;
}
