// The vision module (issue 15): everything of K9 that needs OpenCV (the extractors of
// src/vision, the codecs of src/codec, the demo catalog of src/catalog/demo) behind two entry
// points, so that the k9 executable links no OpenCV and loads it only when a process first
// analyses a photo or draws the demo catalog. Most processes (every HTTP route of a Lambda
// cold start, k9 users, k9 migrate...) never do, and OpenCV's core alone brings 13 shared
// libraries (X11, LAPACK, BLAS, TBB...) a process would otherwise load at every start.
//
// The entry points are vision::make_extractor (vision/extractors.h) and write_demo_catalog
// below. Each is defined twice, and every binary links exactly one of the two (CMakeLists.txt,
// K9_VISION_PLUGIN):
//  - vision_module/direct: calls the OpenCV code linked into the binary (tests, benchmarks,
//    and libk9_vision.so itself);
//  - vision_module/plugin: the k9 executable's; loads libk9_vision.so (vision_module/shared)
//    once, from beside the executable, and calls it through the Table below.
// The library is built by the same build as the executable (same compiler, same libstdc++),
// so C++ types cross the boundary, exceptions too: an ImageError or k9::Error thrown inside
// the library is caught as one outside it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>

#include "vision/extractor.h"

namespace k9::vision_module {

// `k9 catalog demo`'s options (catalog/demo/demo_catalog.h's DemoOptions, without OpenCV's types).
struct DemoCatalogRequest {
  size_t count = 120;
  uint64_t seed = 1;
  int photos = 3;  // per product
};
using DemoProgress = std::function<void(size_t done, size_t total)>;

// Writes the demo catalog (dir/products.jsonl, dir/images/*.jpg); `progress` after each product.
void write_demo_catalog(const DemoCatalogRequest& request, const std::filesystem::path& dir,
                        const DemoProgress& progress = {});

// What libk9_vision.so hands the executable: its one exported symbol, kEntry, returns it.
// kAbi changes whenever this table or a type crossing it does.
inline constexpr uint32_t kAbi = 1;
struct Table {
  uint32_t abi = kAbi;
  size_t size = sizeof(Table);
  std::unique_ptr<vision::Extractor> (*make_extractor)(std::string_view version, vision::ImageLimits limits) = nullptr;
  void (*write_demo_catalog)(const DemoCatalogRequest&, const std::filesystem::path&, const DemoProgress&) = nullptr;
};
inline constexpr const char* kEntry = "k9_vision_module";
inline constexpr const char* kFileName = "libk9_vision.so";

// The direct implementations as a table (vision_module/direct): what the library's entry returns.
const Table& direct_table();

}  // namespace k9::vision_module
