// Illumination flattening: phone photos are lit unevenly (a window on one side, vignetting,
// a lamp's hot spot). The illumination is modelled as a smooth field in log luminance,
// a + b x + c y + d r^2 (a tilt and a radial fall-off, r from the centre), fitted to the
// material's pixels at 64 pixels across by trimmed least squares: four rounds, each fitting
// only the cells within 0.25 (log) of the previous fit, the first round's reference being the
// median. A region of another colour, such as the cream band of a two-colour tile, is left out
// of the fit rather than taken for light. Every pixel is multiplied by mean field / local
// field. Colour and pattern both read the flattened image.
#pragma once
#include <opencv2/core.hpp>

namespace k9::vision {

// `grey`: CV_32F luminance; `material`: CV_8U, non-zero = material. Returns the CV_32F gain
// per pixel (mean illumination / local illumination, clamped to [1/3, 3]).
cv::Mat illumination_gain(const cv::Mat& grey, const cv::Mat& material);

}  // namespace k9::vision
