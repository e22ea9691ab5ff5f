// Dominant colours (features.h: 3 x {L*, a*, b*, share}) of the material's pixels.
//  1. Up to 4096 material pixels are sampled on a regular grid (deterministic).
//  2. Illumination is flattened (lighting.h).
//  3. White balance, shades of grey (Minkowski p = 6) over the material in linear RGB: the
//     illuminant estimate's chromaticity is removed, but only up to a log-chroma distance of
//     kMaxCastCorrection from neutral. A near-neutral material (most stone, concrete, greige
//     tile, grey wood) loses a colour cast completely; a strongly coloured one (red brick,
//     green tile) keeps most of its colour, since a single material cannot tell its own hue
//     from the light's, and phone cameras' own white balance has corrected most casts.
//  4. CIELAB (D65) of the samples; k-means with k = 3 in Lab, initialised from the lightness
//     terciles (no randomness), 15 iterations; clusters closer than 8 (CIE76) merged, as one
//     colour that k-means split; ordered by pixel share. A material with fewer than three
//     colours repeats its last colour with share 0.
#pragma once
#include <opencv2/core.hpp>

namespace k9::vision {

inline constexpr double kMaxCastCorrection = 0.5;  // ln(1.65): at most a 65% channel gain (linear light)

// `bgr`: CV_8UC3; `material`: CV_8U non-zero = material; `gain`: CV_32F illumination gain.
// Writes 12 floats to `out`.
// `cast_limit`: the largest log-chroma correction of the white balance (step 3).
void dominant_colours(const cv::Mat& bgr, const cv::Mat& material, const cv::Mat& gain, float* out,
                      double cast_limit = kMaxCastCorrection);

}  // namespace k9::vision
