// Scores of a catalog product against a report's reference (SPEC section 1), each in [0,1]
// or nullopt when an input is missing. Pure functions on packed vectors (features.h) and
// domain values: no OpenCV, cheap enough to run over a whole catalog snapshot.
//
// Colour (per component): the three colours of each side are paired by the assignment (of
// the 6) with the least share-weighted CIEDE2000; component i scores the reference's i-th
// colour against its partner: s = 1 / (1 + (dE00 / 10)^2). dE00 = 0 -> 1, 2.3 (just
// noticeable) -> 0.95, 10 -> 0.5, 20 -> 0.2, 40 -> 0.06. dE00 is taken with kL = 2
// (kColourLightnessWeight), as the textile industry does: lightness in a phone photo
// follows the camera's exposure more than the material, hue and chroma much less.
// Pattern: similarity of two histograms p, q (each sums to 1) is 1 - H, H the Hellinger
// distance sqrt(1 - sum sqrt(p_i q_i)) in [0,1].
//  - primary: LBP per pyramid level, mean similarity of the overlapping levels when one side
//    is shifted by s levels (s in -2..2, a 2x scale change either way), times (1 - 0.02|s|)
//    so that the unshifted comparison wins ties;
//  - tertiary: the band-energy spectrum, compared at that same shift (renormalised over the
//    overlapping levels);
//  - secondary: orientation histograms, best similarity over the 12 circular shifts
//    (rotations by multiples of 15 degrees).
// Shape (per dimension): values in mm (in x 25.4; "none" compares only with "none"),
// s = min / max. The product's format with the best mean is used.
// Type: 1 when equal (case and surrounding space ignored), else 0.
// Match: weighted mean of the present scores: colour 0.20/0.10/0.05, pattern 0.20/0.10/0.05,
// type 0.10 (type) / 0.05 (material), shape 0.05 each (length, width, thickness).
#pragma once
#include <optional>
#include <span>

#include "core/domain.h"

namespace k9::vision {

inline constexpr double kColourLightnessWeight = 2;

struct Lab {
  double l = 0, a = 0, b = 0;
};

// kl: the lightness weight (CIE's parametric factor kL; 1 is the reference, textiles use 2).
double ciede2000(const Lab& x, const Lab& y, double kl = 1);
double colour_similarity(double delta_e);  // 1 / (1 + (dE/10)^2)
double hellinger_similarity(std::span<const float> p, std::span<const float> q);

struct ColourScores {
  double primary = 0, secondary = 0, tertiary = 0;
};
struct PatternScores {
  double primary = 0, secondary = 0, tertiary = 0;
};
struct TypeScores {
  std::optional<double> type, material;
};
struct ShapeScores {
  std::optional<double> length, width, thickness;
};
struct Scores {
  TypeScores type;
  ShapeScores shape;
  std::optional<ColourScores> colour;
  std::optional<PatternScores> pattern;
  std::optional<double> match;
};

// `reference` and `product` are kDimension floats of one model version.
ColourScores colour_scores(std::span<const float> reference, std::span<const float> product);
PatternScores pattern_scores(std::span<const float> reference, std::span<const float> product);
TypeScores type_scores(const Category& reference, const Category& product);
ShapeScores shape_scores(const std::vector<Format>& reference, const std::vector<Format>& product);
// Sets `match` from the present scores (nullopt when none is).
void set_match(Scores& scores);
// The visual part alone (colour and pattern weights), for ranking photos against photos.
double visual_match(const ColourScores& c, const PatternScores& p);

}  // namespace k9::vision
