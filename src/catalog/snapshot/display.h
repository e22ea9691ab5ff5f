// Display values of a product for the search answer (SPEC section 3, ProductIndex): two
// numbers per colour and per pattern component, from one k9-classic-1 vector (vision/features.h);
// the snapshot keeps them for each product's first photo (Snapshot::display), and
// display_of() computes them for a reference, which is not in the snapshot.
//
//  colour[k]   = (a*, b*) of dominant colour k (CIELAB, D65); the snapshot rounds them to
//                integers in [-128, 127].
//  pattern[0]  LBP (primary): (coarseness, uniformity). coarseness = the mean pyramid level,
//              weighted by each level's edge-like LBP mass (riu2 codes 2..6), over
//              (levels - 1): 0 = structure at the finest scale, 1 = at the coarsest;
//              uniformity = 1 - the mean share of non-uniform codes: 1 = regular micro-texture.
//  pattern[1]  orientation (secondary): (anisotropy, angle). anisotropy = the length of the
//              mean doubled-angle vector of the histogram: 0 = no dominant direction,
//              1 = one; angle = its direction over pi, in [0, 1) (0 = horizontal gradients).
//  pattern[2]  spectrum (tertiary): (centroid, spread) of the band-energy shares over the
//              levels: centroid / (levels - 1) (0 = fine, 1 = coarse), spread = the standard
//              deviation over (levels - 1) / 2, clamped to 1.
// Every pattern number is in [0, 1]; the snapshot keeps them as round(x * 255).
#pragma once
#include <span>

namespace k9::catalog::snapshot {

struct Display {
  float colour[3][2];
  float pattern[3][2];
};

// `vector`: vision::kDimension floats of k9-classic-1. Shorter input gives zeros.
Display display_of(std::span<const float> vector);

}  // namespace k9::catalog::snapshot
