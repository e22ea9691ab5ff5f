// Similarity matrices read back from the blob store (search/npz.h): hostile or damaged .npz
// bytes must give std::invalid_argument, never a crash, a hang or a huge allocation; what
// decodes must encode and decode to the same matrix.
#include <stdexcept>

#include "fuzz_support.h"
#include "search/npz.h"

using namespace k9;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  search::ScoreMatrix m;
  try {
    m = search::decode_npz(fuzz::as_text(data, size));
  } catch (const std::invalid_argument&) {
    return 0;
  }
  auto again = search::decode_npz(search::encode_npz(m));
  fuzz::check(again.ids == m.ids && again.id_width == m.id_width, "product ids changed in a round trip");
  for (size_t s = 0; s < search::kScoreCount; ++s)
    fuzz::check(again.columns[s].size() == m.columns[s].size(), "a column's length changed in a round trip");
  return 0;
}
