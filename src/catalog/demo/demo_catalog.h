// `k9 catalog demo`: a procedural catalog of convincing materials (materials.h) in many
// colourways, with categories, formats, vendors and prices, each product with several photos
// (photo.h): photo 0 front-on under even light, the others turned, tilted, nearer or farther,
// unevenly lit. Everything is deterministic from the seed: product i is the same in a
// catalog of 10 or of 1000.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <opencv2/core.hpp>

#include "catalog/demo/materials.h"
#include "core/domain.h"

namespace k9::catalog::demo {

struct DemoOptions {
  size_t count = 120;
  uint64_t seed = 1;
  int photos = 3;                    // per product
  cv::Size photo_size{800, 600};
  int sheet_side = 1024;             // the material sheet photos are taken of

  // A catalog quick to make, for tests and benchmarks: `count` products, `photos` 320x240
  // photos each, taken of 512 px sheets.
  static DemoOptions small(size_t count, int photos = 2) {
    DemoOptions o;
    o.count = count;
    o.photos = photos;
    o.photo_size = {320, 240};
    o.sheet_side = 512;
    return o;
  }
};

class DemoCatalog {
 public:
  explicit DemoCatalog(DemoOptions options = {});
  size_t size() const { return options_.count; }
  const DemoOptions& options() const { return options_; }
  Recipe recipe(size_t i) const;
  // Image urls are relative to the catalog folder: images/<id>-<n>.jpg.
  Product product(size_t i) const;
  cv::Mat sheet(size_t i) const;
  // Photo `shot` of product i: 0 is the catalog shot, any other number a varied photo
  // (the catalog uses 1 .. photos-1; benchmarks take unseen ones from 1000 on).
  cv::Mat photo(size_t i, uint64_t shot) const;
  cv::Mat photo(const cv::Mat& sheet, size_t i, uint64_t shot) const;

  // Writes dir/products.jsonl (one Product per line, SPEC section 5) and dir/images/*.jpg.
  // `progress(done, total)` is called after each product.
  void write(const std::filesystem::path& dir, const std::function<void(size_t, size_t)>& progress = {}) const;

 private:
  DemoOptions options_;
};

}  // namespace k9::catalog::demo
