// The vision module's entry points on the OpenCV code linked into the same binary (tests,
// benchmarks, libk9_vision.so). See vision_module/vision_module.h.
#include "catalog/demo/demo_catalog.h"
#include "vision/classic_extractor.h"
#include "vision/extractors.h"
#include "vision_module/vision_module.h"

namespace k9::vision {

std::unique_ptr<Extractor> make_extractor(std::string_view version, ImageLimits limits) {
  std::string v = checked_model_version(version);
  return std::make_unique<ClassicExtractor>(v == kClassic2ModelVersion ? classic_2_recipe() : classic_1_recipe(), limits);
}

}  // namespace k9::vision

namespace k9::vision_module {

void write_demo_catalog(const DemoCatalogRequest& request, const std::filesystem::path& dir,
                        const DemoProgress& progress) {
  catalog::demo::DemoOptions options;
  options.count = request.count;
  options.seed = request.seed;
  options.photos = request.photos;
  catalog::demo::DemoCatalog(options).write(dir, progress);
}

const Table& direct_table() {
  static const Table table{kAbi, sizeof(Table), &vision::make_extractor, &write_demo_catalog};
  return table;
}

}  // namespace k9::vision_module
