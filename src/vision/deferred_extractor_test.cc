#include "vision/deferred_extractor.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "vision/extractors.h"
#include "vision/test_images.h"

namespace k9::vision {
namespace {

TEST(DeferredExtractor, AsksForItsVersionOnlyWhenUsedAndThenExtractsAsThatVersion) {
  int asked = 0;
  DeferredExtractor deferred([&] {
    ++asked;
    return std::string("k9-classic-2");
  });
  EXPECT_EQ(asked, 0);
  std::string photo = testing::encode(testing::noise_texture({160, 120}, 5, {60, 100, 170}, 40, 2), ".png");
  auto f = deferred.extract({photo});
  EXPECT_EQ(f.model_version, "k9-classic-2");
  EXPECT_EQ(f.vector, make_extractor("k9-classic-2")->extract({photo}).vector);
  EXPECT_EQ(deferred.model_version(), "k9-classic-2");
  EXPECT_EQ(deferred.dimension(), make_extractor("k9-classic-2")->dimension());
}

TEST(DeferredExtractor, AVersionNotYetHadFailsThatCallAndTheNextAsksAgain) {
  int asked = 0;
  DeferredExtractor deferred([&]() -> std::string {
    if (++asked == 1) throw std::runtime_error("catalog unavailable");
    return "k9-classic-1";
  });
  EXPECT_THROW(deferred.dimension(), std::runtime_error);
  EXPECT_EQ(deferred.dimension(), make_extractor("k9-classic-1")->dimension());
  EXPECT_EQ(deferred.model_version(), "k9-classic-1");
}

}  // namespace
}  // namespace k9::vision
