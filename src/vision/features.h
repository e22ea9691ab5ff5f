// The packed feature vector of the classic model versions (k9-classic-1, k9-classic-2): what an extractor computes from one
// photo, what the embeddings table stores (float32) and what the scoring functions in
// vision/scores.h read. No OpenCV here: the search engine reads these from a snapshot.
//
// Layout (kDimension floats, offsets below):
//  colour   3 x {L*, a*, b*, share}: the dominant colours in CIELAB (D65), largest share first
//           (primary, secondary, tertiary); shares sum to 1.
//  lbp      kLevels x kLbpBins: rotation-invariant uniform LBP (8 neighbours) histograms of the
//           normalised luminance at kLevels pyramid levels, each level 2^(1/2) smaller than
//           the one before; each level's histogram sums to 1.
//  orient   kOrientBins: gradient orientation histogram over [0, pi), magnitude weighted,
//           sums to 1 (rotation is handled when comparing, by circular shifts).
//  spectrum kLevels: share of band-pass (difference of Gaussians) energy per pyramid level,
//           sums to 1: how coarse or fine the pattern is.
#pragma once
#include <cstddef>

namespace k9::vision {

inline constexpr const char* kClassicModelVersion = "k9-classic-1";
inline constexpr const char* kClassic2ModelVersion = "k9-classic-2";

inline constexpr size_t kColours = 3;
inline constexpr size_t kColourStride = 4;  // L, a, b, share
inline constexpr size_t kLevels = 6;
inline constexpr size_t kLbpBins = 10;  // riu2 codes 0..8 (uniform) + 9 (non-uniform)
inline constexpr size_t kOrientBins = 12;

inline constexpr size_t kColourOffset = 0;
inline constexpr size_t kLbpOffset = kColourOffset + kColours * kColourStride;
inline constexpr size_t kOrientOffset = kLbpOffset + kLevels * kLbpBins;
inline constexpr size_t kSpectrumOffset = kOrientOffset + kOrientBins;
inline constexpr size_t kDimension = kSpectrumOffset + kLevels;  // 90

}  // namespace k9::vision
