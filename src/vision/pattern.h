// The pattern descriptor (features.h) of the material's normalised luminance: grey,
// illumination-flattened (lighting.h), divided by its mean over the material, so that
// exposure and uneven light leave it unchanged. It is computed on a pyramid of kLevels
// levels, each 2^(1/2) smaller, so that a photo from nearer or farther lands on a shifted
// level (scores.h compares with the best shift):
//  - lbp (primary): rotation-invariant uniform LBP, 8 neighbours at radius 1, a neighbour
//    counting as brighter when it exceeds the centre by 2% of the mean (flat areas stay flat
//    under sensor noise); 10 bins per level. Rotation-invariant by construction,
//    lighting-invariant as it compares neighbours only.
//  - orient (secondary): gradient orientations (Sobel) at level 1, magnitude-weighted, in
//    12 bins over [0, pi) with linear interpolation: how directional the pattern is (grain,
//    planks, weave) against isotropic (terrazzo, stone). Compared under circular shifts, so
//    rotation only moves it.
//  - spectrum (tertiary): band-pass energy (image minus its Gaussian blur, sigma 1.2) per
//    level as shares of the total: the pattern's coarseness.
// Only pixels whose neighbourhood lies inside the material count.
#pragma once
#include <opencv2/core.hpp>

namespace k9::vision {

// What the classic model versions do differently in the pattern (the defaults: k9-classic-1).
struct PatternRecipe {
  // Gaussian sigma (px of the working image) applied to the luminance before the pyramid: the
  // finest detail every photo is described at, whatever its own sharpness. 0: none.
  double pre_blur = 0;
  // A neighbour counts as brighter when it exceeds the centre by lbp_threshold x (1, the
  // luminance's mean, when !contrast_relative; else the level's band-pass RMS, so that a
  // blurred photo, whose fine levels lost contrast, keeps the codes of a sharp one).
  double lbp_threshold = 0.02;
  bool contrast_relative = false;
  // The scale step (issue 19's "describe at the texture's own scale"; an experiment, off in
  // every registered version, docs/VISION.md says what it measured): estimate the texture's
  // dominant period (dominant_period below, on the luminance after pre_blur) and resample the
  // luminance by scale_period / period, bounded to [scale_min, scale_max], before pre_blur and
  // the pyramid, so that the period is described at scale_period px. 0: off.
  double scale_period = 0;
  double scale_min = 0.5, scale_max = 2.0;
  // Resample only when the peak stands out (dominant_period's prominence at least this): a
  // texture with no period of its own (most stone, wood) is then left at its scale. 0: always.
  double scale_prominence = 0;
};

// The dominant spatial period of `luminance` (px) over `material`: the peak of the energy per
// octave (f^2 x the radially averaged power spectrum) of the mean-removed, Hann-windowed
// largest square around the material's centre, between periods of 4 px and a third of that
// square or 64 px, whichever is less (parabolic between bins). 0 when there is too little material (a side under 32 px).
// `prominence`, when given: the peak's energy over the geometric mean of the energies an
// octave below and above it (about 1 for a texture with no scale of its own; 0 when the
// peak is at the coarsest period searched, which says only that the texture is coarser).
double dominant_period(const cv::Mat& luminance, const cv::Mat& material, double* prominence = nullptr);

// `luminance`: CV_32F normalised luminance; `material`: CV_8U non-zero = material. Writes
// kLevels*kLbpBins, kOrientBins and kLevels floats.
void pattern_descriptor(const cv::Mat& luminance, const cv::Mat& material, float* lbp, float* orient, float* spectrum,
                        const PatternRecipe& recipe = {});

}  // namespace k9::vision
