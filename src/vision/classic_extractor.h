// k9-classic-1: handcrafted colour and pattern features on OpenCV, no weights (features.h
// for the vector, colour.h and pattern.h for the method, scores.h for the comparison).
//
// Steps: read the header and check the limits; choose a JPEG decoding scale so that the
// analysed region keeps at least kWorkingSide pixels along its longer side; decode (EXIF
// orientation applied); material = mask non-zero AND alpha >= 128; rectify the selection's
// quadrilateral (selection.h) to a front-on rectangle of its own size; resize to at most
// kWorkingSide on the longer side (resolution independence: the same framing gives the same
// vector at any camera resolution); flatten the illumination; colours; pattern.
//
// The classic model versions share these steps and the vector layout (features.h, so the
// scorer and the snapshot read them alike) and differ in a recipe: k9-classic-1 as above;
// k9-classic-2 (classic_2_recipe) describes the pattern so that it survives a phone's blur
// (docs/VISION.md, "k9-classic-2", says what each choice measured).
#pragma once
#include "vision/colour.h"
#include "vision/extractor.h"
#include "vision/features.h"
#include "vision/pattern.h"

namespace k9::vision {

inline constexpr int kWorkingSide = 512;

struct ClassicRecipe {
  std::string model_version = kClassicModelVersion;
  PatternRecipe pattern = {};
  double cast_limit = kMaxCastCorrection;  // colour.h, step 3
  // Gaussian sigma (px of the working image) applied to the photo before its colours are
  // taken: a blurred photo mixes neighbouring colours, a sharp one as much then. 0: none.
  double colour_blur = 0;
};

ClassicRecipe classic_1_recipe();  // k9-classic-1: the defaults
ClassicRecipe classic_2_recipe();  // k9-classic-2

class ClassicExtractor : public Extractor {
 public:
  explicit ClassicExtractor(ImageLimits limits = {}) : limits_(limits) {}
  explicit ClassicExtractor(ClassicRecipe recipe, ImageLimits limits = {}) : limits_(limits), recipe_(std::move(recipe)) {}
  std::string model_version() const override;
  size_t dimension() const override;
  Features extract(const ExtractorInput& input) const override;

 private:
  ImageLimits limits_;
  ClassicRecipe recipe_;
};

}  // namespace k9::vision
