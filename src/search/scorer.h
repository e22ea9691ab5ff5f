// Scoring one reference against every product of a catalog snapshot (SPEC section 1): the
// twelve score columns of a ScoreMatrix, with the semantics of vision/scores.h computed on the
// snapshot's quantised vectors (catalog/snapshot/snapshot_format.h).
//
//  - colour and pattern come from the (reference photo, product photo) pair with the best
//    vision::visual_match; type and material from the normalised category terms; shape from
//    the product's FIRST format (the snapshot keeps that one; vision::shape_scores takes the
//    best of all formats) against the reference's first format; match is set_match's
//    weighted mean of the scores present. A product without photos, or a reference without
//    vectors, has NaN colour and pattern scores.
//  - Quantisation: a product colour is its palette entry (per snapshot, <= 16384 entries), so
//    dE00 is a look-up table computed once per reference (3 x palette entries per reference
//    photo, 16 entries at a time in float: vectorised CIEDE2000 with hue unit vectors instead
//    of angles, within ~1e-4 dE00 of vision::ciede2000 but at exactly opposite hues, where
//    the formula itself jumps); shares are bytes; histogram bins are bytes holding
//    sqrt(h) * 255, so every Bhattacharyya coefficient is a dot product, normalised by the
//    vectors' lengths (exactly what it is for histograms that sum to 1, and robust to the
//    bytes' rounding). The reference side stays float (int16 on the VNNI path). Accuracy
//    against vision/scores.h is measured in scorer_test.cc (tolerances stated there).
//  - Speed: vectors are scored 16 at a time (one lane each): one kernel template, inlined
//    into a function per instruction set (AVX-512 with VNNI: integer dot products; AVX-512;
//    AVX2; baseline x86-64), chosen at run time (K9_SCORER_ISA=generic|avx2|avx512|avx512vnni
//    forces one, for tests). Work is split over `threads` threads in claimed chunks of 2048
//    products; type, material, shape and ids come from Snapshot::scoring() (columns made when
//    the snapshot is opened), each chunk's 12 columns are computed in cache and streamed out.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "catalog/snapshot/display.h"
#include "catalog/snapshot/snapshot.h"
#include "core/domain.h"
#include "search/score_matrix.h"

namespace k9::search {

struct Reference {
  std::string product_id;
  std::vector<float> vectors;  // count x dimension floats, one vector per analysed reference photo
  Category category;           // core/domain.h
  std::vector<Format> formats;
};

// Scores every product of `snapshot` against `reference` (SPEC section 1): all 12 columns.
// threads == 0: std::thread::hardware_concurrency(). Throws std::invalid_argument when the
// reference's vectors are not a whole number of the snapshot's dimension.
ScoreMatrix score_catalog(const catalog::snapshot::Snapshot& snapshot, const Reference& reference, unsigned threads = 0);

// Display values (colour a*/b*, pattern projections; catalog/snapshot/display.h documents the
// axes) of one k9-classic-1 vector: for the reference, whose product is not in the snapshot.
// Snapshot::display(i) gives the same for a catalog product (its first photo), rounded.
using catalog::snapshot::Display;
inline Display display_of(std::span<const float> vector) { return catalog::snapshot::display_of(vector); }

}  // namespace k9::search
