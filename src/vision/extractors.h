// The model versions K9 can analyse with, by name: the one place that maps a version string
// to its extractor (the CLI's --model, the server's analysis version, the benchmarks).
// Every version listed here produces vectors of the classic layout (features.h), which the
// scorer and the snapshot read.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vision/extractor.h"

namespace k9::vision {

// The versions known, oldest first.
std::vector<std::string> model_versions();
// The extractor of `version`; k9::Error(bad_request) naming the known ones when it is not one.
std::unique_ptr<Extractor> make_extractor(std::string_view version, ImageLimits limits = {});
// Throws as make_extractor does when `version` is not known; returns it.
std::string checked_model_version(std::string_view version);

}  // namespace k9::vision
