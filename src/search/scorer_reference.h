// Internal to src/search: the scorer's reference side, prepared once per scoring (scorer.h):
// each photo's vector as the kernel reads it (Prepared, scorer_kernel.h), the reference's
// category terms against the snapshot's, and its first format's dimensions.
#pragma once
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>

#include "catalog/snapshot/snapshot.h"
#include "core/domain.h"
#include "search/scorer_kernel.h"

namespace k9::search::scoring {

// One reference photo's k9-classic-1 vector as the kernel reads it (lut[] left to the caller).
Prepared prepare(std::span<const float> vector);

// The 1-based term of a reference's category value: 0 absent, UINT32_MAX present but in no
// catalog product (so every present product term differs).
uint32_t reference_term(const catalog::snapshot::Snapshot& s, const std::optional<std::string>& value);

struct ReferenceDimension {
  float mm = std::numeric_limits<float>::quiet_NaN();  // NaN when absent or not positive
  bool unitless = false;
};

// A reference dimension in mm (inches converted); NaN when absent or not positive.
ReferenceDimension reference_dimension(const std::optional<Dimension>& d);

}  // namespace k9::search::scoring
