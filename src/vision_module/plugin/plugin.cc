// The vision module's entry points in the k9 executable: through libk9_vision.so, loaded on
// first use (vision_module/vision_module.h, plugin/loader.h).
#include <mutex>

#include "core/error.h"
#include "vision/extractors.h"
#include "vision/features.h"
#include "vision_module/plugin/loader.h"
#include "vision_module/vision_module.h"

namespace k9::vision {

namespace {

// The extractor of a version, made inside the library at the first extract(): a process that
// never analyses (every HTTP route but analysis) never loads OpenCV. The version and the
// dimension are known without it (every version has the classic layout, extractors.h).
class ModuleExtractor : public Extractor {
 public:
  ModuleExtractor(std::string version, ImageLimits limits) : version_(std::move(version)), limits_(limits) {}
  std::string model_version() const override { return version_; }
  size_t dimension() const override { return kDimension; }
  Features extract(const ExtractorInput& input) const override { return loaded().extract(input); }

 private:
  const Extractor& loaded() const {
    std::call_once(once_, [this] {  // a throw (no library) leaves it to the next call
      auto x = vision_module::loaded_module().make_extractor(version_, limits_);
      if (x->dimension() != kDimension || x->model_version() != version_)
        throw internal_error("vision module: " + version_ + " is " + x->model_version() + " of dimension " +
                             std::to_string(x->dimension()));
      extractor_ = std::move(x);
    });
    return *extractor_;
  }

  std::string version_;
  ImageLimits limits_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<Extractor> extractor_;
};

}  // namespace

std::unique_ptr<Extractor> make_extractor(std::string_view version, ImageLimits limits) {
  return std::make_unique<ModuleExtractor>(checked_model_version(version), limits);
}

}  // namespace k9::vision

namespace k9::vision_module {

void write_demo_catalog(const DemoCatalogRequest& request, const std::filesystem::path& dir,
                        const DemoProgress& progress) {
  loaded_module().write_demo_catalog(request, dir, progress);
}

}  // namespace k9::vision_module
