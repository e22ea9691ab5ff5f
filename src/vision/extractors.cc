#include "vision/extractors.h"

#include "core/error.h"
#include "vision/features.h"

namespace k9::vision {

std::vector<std::string> model_versions() { return {kClassicModelVersion, kClassic2ModelVersion}; }

std::string checked_model_version(std::string_view version) {
  std::string known;
  for (auto& v : model_versions()) {
    if (v == version) return v;
    known += (known.empty() ? "" : ", ") + v;
  }
  throw Error(ErrorCode::bad_request, "unknown model version '" + std::string(version) + "' (known: " + known + ")");
}

}  // namespace k9::vision
