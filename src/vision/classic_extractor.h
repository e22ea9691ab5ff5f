// k9-classic-1: handcrafted colour and pattern features on OpenCV, no weights (features.h
// for the vector, colour.h and pattern.h for the method, scores.h for the comparison).
//
// Steps: read the header and check the limits; choose a JPEG decoding scale so that the
// analysed region keeps at least kWorkingSide pixels along its longer side; decode (EXIF
// orientation applied); material = mask non-zero AND alpha >= 128; rectify the selection's
// quadrilateral (selection.h) to a front-on rectangle of its own size; resize to at most
// kWorkingSide on the longer side (resolution independence: the same framing gives the same
// vector at any camera resolution); flatten the illumination; colours; pattern.
#pragma once
#include "vision/extractor.h"

namespace k9::vision {

inline constexpr int kWorkingSide = 512;

class ClassicExtractor : public Extractor {
 public:
  explicit ClassicExtractor(ImageLimits limits = {}) : limits_(limits) {}
  std::string model_version() const override;
  size_t dimension() const override;
  Features extract(const ExtractorInput& input) const override;

 private:
  ImageLimits limits_;
};

}  // namespace k9::vision
