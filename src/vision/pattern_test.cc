// The scale step of the pattern descriptor (pattern.h: dominant_period, PatternRecipe::scale_period),
// an experiment of issue 19 that no registered model version uses.
#include "vision/pattern.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "vision/features.h"

namespace k9::vision {
namespace {

// A normalised luminance (mean 1) of stripes of `period` px at `angle` degrees, with a second,
// weaker set across them and a little fixed noise: a weave of known scale.
cv::Mat weave(cv::Size size, double period, double angle, uint64_t seed = 3) {
  cv::Mat g(size, CV_32F), noise(size, CV_32F);
  cv::RNG rng(seed);
  rng.fill(noise, cv::RNG::NORMAL, 0, 0.03);
  double c = std::cos(angle * std::numbers::pi / 180), s = std::sin(angle * std::numbers::pi / 180);
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x) {
      double u = x * c + y * s, v = -x * s + y * c;
      g.at<float>(y, x) = float(1 + 0.3 * std::sin(2 * std::numbers::pi * u / period) +
                                0.12 * std::sin(2 * std::numbers::pi * v / period) + noise.at<float>(y, x));
    }
  return g;
}

TEST(Pattern, DominantPeriodOfStripesIsTheirPeriod) {
  const cv::Mat all(512, 512, CV_8U, cv::Scalar(255));
  for (double period : {6.0, 9.0, 12.0, 17.0, 24.0, 40.0})
    for (double angle : {0.0, 30.0, 77.0}) {
      cv::Mat g = weave({512, 512}, period, angle);
      double prominence = 0;
      EXPECT_NEAR(dominant_period(g, all, &prominence), period, 0.1 * period) << "period " << period << ", angle " << angle;
      EXPECT_GT(prominence, 3) << "a period of its own stands out; period " << period;
      cv::Mat blurred;  // as the scale step sees it: after k9-classic-2's blur of 2.5 px
      cv::GaussianBlur(g, blurred, cv::Size(), 2.5);
      if (period >= 9) {
        EXPECT_NEAR(dominant_period(blurred, all), period, 0.1 * period) << "blurred, period " << period;
      }
    }
  // Only the material counts, and a smaller region is measured at its own size.
  cv::Mat g = weave({400, 300}, 14, 10), half(300, 400, CV_8U, cv::Scalar(0));
  half(cv::Rect(0, 0, 200, 300)).setTo(255);
  g(cv::Rect(200, 0, 200, 300)).setTo(1.0f);
  EXPECT_NEAR(dominant_period(g, half), 14, 1.4);
  EXPECT_EQ(dominant_period(g, cv::Mat(300, 400, CV_8U, cv::Scalar(0))), 0) << "no material, no estimate";
  // A limit of the estimate: white noise has no period of its own, but blurred at sigma its
  // energy per octave, f^2 exp(-4 pi^2 sigma^2 f^2), peaks at the period 2 pi sigma, and
  // clearly (the blur's own scale; docs/VISION.md, "k9-classic-2", the scale step).
  cv::Mat noise(512, 512, CV_32F);
  cv::RNG(9).fill(noise, cv::RNG::NORMAL, 1, 0.2);
  cv::GaussianBlur(noise, noise, cv::Size(), 2.5);
  double prominence = 0;
  EXPECT_NEAR(dominant_period(noise, cv::Mat(512, 512, CV_8U, cv::Scalar(255)), &prominence), 2 * std::numbers::pi * 2.5, 2.5);
  RecordProperty("blurred_noise_prominence", std::to_string(prominence));
}

// Two scales of one weave (12 px, and the same seen 1.5x nearer: 18 px, its grain enlarged too)
// are described closer with the scale step than without it: each is resampled to the same
// period before the pyramid.
TEST(Pattern, TheScaleStepBringsTwoScalesOfAPatternTogether) {
  const cv::Mat all(512, 512, CV_8U, cv::Scalar(255));
  cv::Mat near = weave({512, 512}, 12, 20, 5), far;
  cv::resize(near(cv::Rect(0, 0, 342, 342)), far, cv::Size(512, 512), 0, 0, cv::INTER_CUBIC);
  auto distance = [&](const PatternRecipe& recipe) {
    std::vector<float> a(kDimension), b(kDimension);
    pattern_descriptor(near.clone(), all, &a[kLbpOffset], &a[kOrientOffset], &a[kSpectrumOffset], recipe);
    pattern_descriptor(far.clone(), all, &b[kLbpOffset], &b[kOrientOffset], &b[kSpectrumOffset], recipe);
    double d = 0;  // L1 of the LBP histograms and band-energy shares, level against level
    for (size_t i = 0; i < kLevels * kLbpBins; ++i) d += std::abs(a[kLbpOffset + i] - b[kLbpOffset + i]);
    for (size_t i = 0; i < kLevels; ++i) d += std::abs(a[kSpectrumOffset + i] - b[kSpectrumOffset + i]);
    return d;
  };
  PatternRecipe plain{.pre_blur = 2.5}, scaled{.pre_blur = 2.5, .scale_period = 14};
  double without = distance(plain), with = distance(scaled);
  EXPECT_LT(with, 0.6 * without) << "without " << without << ", with " << with;
  RecordProperty("distance_without", std::to_string(without));
  RecordProperty("distance_with", std::to_string(with));
}

TEST(Pattern, TheScaleStepIsOffByDefault) {
  PatternRecipe r;
  EXPECT_EQ(r.scale_period, 0);
  const cv::Mat all(256, 256, CV_8U, cv::Scalar(255));
  cv::Mat g = weave({256, 256}, 10, 0);
  std::vector<float> a(kDimension), b(kDimension);
  pattern_descriptor(g.clone(), all, &a[kLbpOffset], &a[kOrientOffset], &a[kSpectrumOffset], {.pre_blur = 2.5});
  pattern_descriptor(g.clone(), all, &b[kLbpOffset], &b[kOrientOffset], &b[kSpectrumOffset],
                     {.pre_blur = 2.5, .scale_min = 0.25, .scale_max = 4});  // bounds alone change nothing
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace k9::vision
