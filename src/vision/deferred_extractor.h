// An extractor whose model version is known only later: k9 lambda chooses it from the catalog
// (analysis/model_choice.h: a HEAD and a query or two) beside its init instead of before its
// first answer. `version` is asked on first use and may wait, or throw (that call fails; the
// next asks again); the extractor of that version (make_extractor) is made then, once.
#pragma once
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "vision/extractor.h"

namespace k9::vision {

class DeferredExtractor final : public Extractor {
 public:
  explicit DeferredExtractor(std::function<std::string()> version, ImageLimits limits = {})
      : version_(std::move(version)), limits_(limits) {}
  std::string model_version() const override { return version_(); }
  size_t dimension() const override { return made().dimension(); }
  Features extract(const ExtractorInput& input) const override { return made().extract(input); }

 private:
  const Extractor& made() const;

  std::function<std::string()> version_;
  ImageLimits limits_;
  mutable std::mutex mu_;
  mutable std::unique_ptr<Extractor> made_;
};

}  // namespace k9::vision
