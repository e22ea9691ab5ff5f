// The extractor interface: one photo of a material in, one versioned feature vector out.
// An extractor is a model version: k9-classic-1 (vision/classic_extractor.h, handcrafted on
// OpenCV) today; a learned model run through OpenCV's dnn module would be another
// implementation with another version string. Vectors of different versions never mix: the
// embeddings table keys them by product and model version.
//
// Contract, for every implementation:
//  - `image` is the encoded file (JPEG, PNG or WebP, sniffed from the bytes). EXIF
//    orientation is applied. The size is checked from the header before any decoding
//    (limits below); the pixels are then decoded at most once.
//  - `mask`, when given, is an encoded image of the same size as the (oriented) image whose
//    non-zero pixels mark the material. A transparent pixel of the image (alpha < 128) is
//    never material either.
//  - `selection`, when given, places a quadrilateral on the photo (vision/selection.h); the
//    quadrilateral is rectified to a front-on rectangle before analysis, and the mask with it.
//  - Bad input throws ImageError naming the problem (vision/image_error.h); nothing else is
//    thrown for bad input. extract() is const and thread-safe.
//  - The vector has exactly dimension() floats, all finite; equal input gives an equal vector.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vision/image_error.h"
#include "vision/selection.h"

namespace k9::vision {

struct ImageLimits {
  size_t max_bytes = 64u << 20;       // encoded size
  uint32_t max_side = 20000;          // either dimension, from the header
  uint64_t max_pixels = 50'000'000;   // width x height, from the header (50 MP: any phone)
  uint32_t min_side = 16;             // smaller images carry no texture to analyse
};

struct ExtractorInput {
  std::string_view image = {};
  std::optional<std::string_view> mask = std::nullopt;
  std::optional<Selection> selection = std::nullopt;
};

struct Features {
  std::string model_version;
  std::vector<float> vector;
};

class Extractor {
 public:
  virtual ~Extractor() = default;
  virtual std::string model_version() const = 0;
  virtual size_t dimension() const = 0;
  virtual Features extract(const ExtractorInput& input) const = 0;
};

}  // namespace k9::vision
