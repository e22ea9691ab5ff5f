// The model versions by name (extractors.h) and what k9-classic-2 promises beside k9-classic-1.
#include "vision/extractors.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "vision/classic_extractor.h"
#include "vision/features.h"
#include "vision/scores.h"
#include "vision/test_images.h"

namespace k9::vision {
namespace {

TEST(Extractors, EachKnownVersionByName) {
  EXPECT_EQ(model_versions(), (std::vector<std::string>{"k9-classic-1", "k9-classic-2"}));
  for (auto& v : model_versions()) {
    auto x = make_extractor(v);
    EXPECT_EQ(x->model_version(), v);
    EXPECT_EQ(x->dimension(), kDimension) << "the scorer and the snapshot read every version alike";
    auto f = x->extract({testing::encode(testing::noise_texture({128, 128}, 4, {90, 120, 150}, 30, 1), ".png")});
    EXPECT_EQ(f.model_version, v);
    EXPECT_EQ(f.vector.size(), kDimension);
  }
}

TEST(Extractors, AnUnknownVersionIsABadRequestNamingTheKnownOnes) {
  try {
    make_extractor("k9-classic-9");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request);
    EXPECT_NE(e.message().find("k9-classic-9"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("k9-classic-2"), std::string::npos) << e.message();
  }
  EXPECT_EQ(checked_model_version("k9-classic-2"), "k9-classic-2");
}

TEST(Extractors, Classic1IsTheDefaultRecipe) {
  std::string photo = testing::encode(testing::noise_texture({160, 120}, 5, {60, 100, 170}, 40, 2), ".png");
  EXPECT_EQ(ClassicExtractor().extract({photo}).vector, make_extractor("k9-classic-1")->extract({photo}).vector);
  EXPECT_NE(ClassicExtractor().extract({photo}).vector, make_extractor("k9-classic-2")->extract({photo}).vector);
}

// k9-classic-2 describes every photo at the sharpness of a blurred one: a photo and its
// out-of-focus copy keep their pattern far better than under k9-classic-1.
TEST(Extractors, Classic2KeepsThePatternOfABlurredPhoto) {
  cv::Mat sharp = testing::noise_texture({384, 384}, 2, {120, 130, 140}, 50, 7), blurred;
  cv::GaussianBlur(sharp, blurred, cv::Size(), 2.0);
  auto pattern = [&](const Extractor& x) {
    auto a = x.extract({testing::encode(sharp, ".png")}).vector, b = x.extract({testing::encode(blurred, ".png")}).vector;
    return pattern_scores(a, b).primary;
  };
  double classic_1 = pattern(*make_extractor("k9-classic-1")), classic_2 = pattern(*make_extractor("k9-classic-2"));
  EXPECT_GT(classic_2, classic_1 + 0.05) << classic_1 << " " << classic_2;
  EXPECT_GT(classic_2, 0.85);
}

}  // namespace
}  // namespace k9::vision
