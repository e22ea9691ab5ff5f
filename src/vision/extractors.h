// The model versions K9 can analyse with, by name: the one place that maps a version string
// to its extractor (the CLI's --model, the server's analysis version, the benchmarks).
// Every version listed here produces vectors of the classic layout (features.h), which the
// scorer and the snapshot read.
// No OpenCV here: the list is extractors.cc's (in k9_vision, which every module links), while
// make_extractor is defined twice (issue 15), by the vision module's direct build (tests,
// benchmarks, libk9_vision.so: vision_module/direct) and by its loader in the k9 executable
// (vision_module/plugin: an extractor that loads libk9_vision.so at its first extract()).
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
// In the k9 executable, extract() throws k9::Error(internal) when libk9_vision.so is missing.
std::unique_ptr<Extractor> make_extractor(std::string_view version, ImageLimits limits = {});
// Throws as make_extractor does when `version` is not known; returns it.
std::string checked_model_version(std::string_view version);

}  // namespace k9::vision
