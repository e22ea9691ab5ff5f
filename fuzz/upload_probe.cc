// The uploads' image probe (PUT /uploads, PUT /user/avatar): format, size and completeness from
// the bytes alone. Nothing may crash or throw; an ok answer has a known format and non-zero
// sides.
#include "fuzz_support.h"
#include "image_probe/image_probe.h"

using namespace k9::image;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes = k9::fuzz::as_text(data, size);
  ProbeResult r = probe_image(bytes);
  if (!r.ok()) {
    k9::fuzz::check(!r.message.empty(), "a refusal without a message");
    return 0;
  }
  k9::fuzz::check(r.info.width > 0 && r.info.height > 0, "an ok probe with an empty side");
  k9::fuzz::check(media_type(r.info.format) != nullptr && extension(r.info.format) != nullptr, "unknown format");
  return 0;
}
