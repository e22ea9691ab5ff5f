// Illumination flattening: phone photos are lit unevenly (a window on one side, vignetting,
// a lamp's hot spot). The illumination is estimated as the material's luminance low-passed
// far below any texture (a Gaussian of a fifth of the image's longer side, by normalised
// convolution so that pixels outside the material do not count), and every pixel is
// multiplied by mean / local to undo it. Colour and pattern both read the flattened image.
#pragma once
#include <opencv2/core.hpp>

namespace k9::vision {

// `grey`: CV_32F luminance; `material`: CV_8U, non-zero = material. Returns the CV_32F gain
// per pixel (mean illumination / local illumination, clamped to [1/3, 3]).
cv::Mat illumination_gain(const cv::Mat& grey, const cv::Mat& material);

}  // namespace k9::vision
