#include "vision/deferred_extractor.h"

#include "vision/extractors.h"

namespace k9::vision {

const Extractor& DeferredExtractor::made() const {
  std::lock_guard lock(mu_);
  if (!made_) made_ = make_extractor(version_(), limits_);
  return *made_;
}

}  // namespace k9::vision
