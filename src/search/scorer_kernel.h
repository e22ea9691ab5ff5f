// Internal to src/search: the scorer's kernel (scorer.h says what it computes). What one
// reference photo contributes, prepared once (Prepared: scorer_reference.cc makes it); the
// scores of one block of 16 snapshot vectors (LaneScores); the kernel for this CPU
// (block_scorer(): one function per instruction set, scorer_kernel.cc); the vectorised
// CIEDE2000 that fills the colour look-up table (ciede2000_16). The chunk driver that runs
// them over a snapshot is scorer.cc.
#pragma once
#include <cstdint>

// GCC 12's AVX-512 intrinsics initialise their "undefined" operands from themselves, which
// -Wuninitialized reports at -O3 (a false positive, in the header).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include "catalog/snapshot/snapshot_format.h"
#include "vision/features.h"
#include "vision/scores.h"

// The kernels pass 16-lane vectors between functions compiled for other ISAs, which GCC
// allows and clang 14 refuses (an ABI change without avx512f): clang builds (the fuzzers) use
// the baseline kernel only. K9_SCORER_SIMD marks what GCC alone builds.
#if !defined(__clang__)
#define K9_SCORER_SIMD 1
#define K9_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define K9_CLONES
#endif

namespace k9::search::scoring {

using catalog::snapshot::kLanes;
using vision::kColours, vision::kLbpBins, vision::kLevels, vision::kOrientBins;

// What one reference photo contributes, prepared once.
struct Prepared {
  float lbp[kLevels][kLbpBins];            // sqrt(p)
  float lbp_inv[kLevels];                  // 1 / sqrt(sum p), 0 for an empty level
  float orient[kOrientBins][kOrientBins];  // [shift][bin]: sqrt(p[(bin - shift) mod 12])
  float orient_inv;
  float spectrum[kLevels];  // sqrt(p)
  float spectrum_sum[5];    // sum of p over the overlapping levels of shift s - 2
  float share[kColours];
  const float* lut[kColours] = {};  // [i][palette code]: dE00 (kL = 2) of reference colour i to the entry
  // For integer dot products (Avx512Vnni): the same square roots as int16 pairs (bins 2m, 2m + 1
  // in the low, high half), scaled so that the largest is 32767; the *_inv_int fold 1 / scale in.
  int32_t lbp_pairs[kLevels][kLbpBins / 2];
  float lbp_inv_int[kLevels];
  int32_t orient_pairs[kOrientBins][kOrientBins / 2];  // [shift][pair]
  float orient_inv_int;
};

// Per lane (vector) of one block: colour and pattern scores and their visual match.
struct LaneScores {
  float colour[3][kLanes], pattern[3][kLanes], visual[kLanes];
};

using BlockScorer = void (*)(const catalog::snapshot::VectorBlock&, const Prepared&, LaneScores&);
// The best the CPU runs; K9_SCORER_ISA=generic|avx2|avx512|avx512vnni forces one (to test them all
// on one machine: scorer_test.cc's tolerances hold for each).
BlockScorer block_scorer();

// dE00 (kL = `kl`) of the colour x to 16 colours (their L, a, b in yl, ya, yb) into out[16].
void ciede2000_16(const vision::Lab& x, const float* yl, const float* ya, const float* yb, float kl, float* out);

}  // namespace k9::search::scoring
