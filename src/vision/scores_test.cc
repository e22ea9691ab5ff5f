#include "vision/scores.h"

#include <gtest/gtest.h>

#include <vector>

#include "vision/features.h"

namespace k9::vision {
namespace {

// Reference pairs from Sharma, Wu and Dalal's CIEDE2000 test data.
TEST(Ciede2000, MatchesPublishedTestData) {
  EXPECT_NEAR(ciede2000({50, 2.6772, -79.7751}, {50, 0, -82.7485}), 2.0425, 1e-4);
  EXPECT_NEAR(ciede2000({50, 0, 0}, {50, -1, 2}), 2.3669, 1e-4);
  EXPECT_NEAR(ciede2000({50, 2.49, -0.001}, {50, -2.49, 0.0011}), 7.2195, 1e-4);
  EXPECT_NEAR(ciede2000({50, 2.5, 0}, {73, 25, -18}), 27.1492, 1e-4);
  EXPECT_NEAR(ciede2000({60.2574, -34.0099, 36.2677}, {60.4626, -34.1751, 39.4387}), 1.2644, 1e-4);
  EXPECT_NEAR(ciede2000({2.0776, 0.0795, -1.135}, {0.9033, -0.0636, -0.5514}), 0.9082, 1e-4);
  EXPECT_DOUBLE_EQ(ciede2000({40, 10, 10}, {40, 10, 10}), 0);
}

TEST(ColourSimilarity, DocumentedMapping) {
  EXPECT_DOUBLE_EQ(colour_similarity(0), 1);
  EXPECT_DOUBLE_EQ(colour_similarity(10), 0.5);
  EXPECT_DOUBLE_EQ(colour_similarity(20), 0.2);
  EXPECT_GT(colour_similarity(2.3), 0.94);
}

std::vector<float> with_colours(std::vector<std::array<float, 4>> colours) {
  std::vector<float> v(kDimension, 0.f);
  for (size_t i = 0; i < colours.size(); ++i)
    for (size_t k = 0; k < 4; ++k) v[kColourOffset + i * kColourStride + k] = colours[i][k];
  return v;
}

TEST(ColourScores, PairsColoursByBestAssignmentNotByRank) {
  // Same three colours; the first two swap rank (nearly equal shares).
  auto a = with_colours({{60, 20, 30, 0.41f}, {30, 0, 0, 0.40f}, {90, 0, 5, 0.19f}});
  auto b = with_colours({{30, 0, 0, 0.41f}, {60, 20, 30, 0.40f}, {90, 0, 5, 0.19f}});
  auto s = colour_scores(a, b);
  EXPECT_DOUBLE_EQ(s.primary, 1);
  EXPECT_DOUBLE_EQ(s.secondary, 1);
  EXPECT_DOUBLE_EQ(s.tertiary, 1);
  auto c = with_colours({{60, -20, -30, 0.5f}, {30, 0, 0, 0.3f}, {90, 0, 5, 0.2f}});
  EXPECT_LT(colour_scores(a, c).primary, 0.2);
}

TEST(HellingerSimilarity, BoundsAndOrder) {
  std::vector<float> p{0.5f, 0.5f, 0}, q{0, 0, 1.f}, r{0.4f, 0.6f, 0};
  EXPECT_NEAR(hellinger_similarity(p, p), 1, 1e-6);
  EXPECT_NEAR(hellinger_similarity(p, q), 0, 1e-6);
  EXPECT_GT(hellinger_similarity(p, r), 0.8);
}

TEST(PatternScores, ScaleShiftAndRotationAreForgiven) {
  std::vector<float> a(kDimension, 0.f), b(kDimension, 0.f);
  for (size_t level = 0; level < kLevels; ++level)
    for (size_t bin = 0; bin < kLbpBins; ++bin) {
      a[kLbpOffset + level * kLbpBins + bin] = bin == level ? 1.f : 0.f;
      // b is a one level coarser (a photo from farther): b's level l is a's level l + 1.
      b[kLbpOffset + level * kLbpBins + bin] = bin == level + 1 ? 1.f : 0.f;
    }
  for (size_t i = 0; i < kOrientBins; ++i) {
    a[kOrientOffset + i] = i == 2 ? 1.f : 0.f;
    b[kOrientOffset + i] = i == 7 ? 1.f : 0.f;  // turned by 75 degrees
  }
  for (size_t i = 0; i < kLevels; ++i) a[kSpectrumOffset + i] = b[kSpectrumOffset + i] = 1.f / kLevels;
  auto s = pattern_scores(a, b);
  EXPECT_NEAR(s.primary, 0.98, 1e-6);  // one level of shift costs 2%
  EXPECT_NEAR(s.secondary, 1, 1e-6);
  EXPECT_NEAR(s.tertiary, 0.98, 1e-6);
}

Dimension dim(const char* v, const char* unit) { return {Decimal{v}, unit}; }

TEST(ShapeScores, UnitNormalisedRatiosOnTheBestFormat) {
  std::vector<Format> ref{{dim("12", "in"), dim("24", "in"), dim("10", "mm"), {}}};
  std::vector<Format> prod{{dim("6", "in"), dim("6", "in"), std::nullopt, {}},
                           {dim("12", "in"), dim("48", "in"), dim("8", "mm"), {}}};
  auto s = shape_scores(ref, prod);
  EXPECT_DOUBLE_EQ(*s.length, 1);
  EXPECT_DOUBLE_EQ(*s.width, 0.5);
  EXPECT_DOUBLE_EQ(*s.thickness, 0.8);
  std::vector<Format> unitless{{dim("12", "none"), std::nullopt, std::nullopt, {}}};
  EXPECT_FALSE(shape_scores(ref, unitless).length.has_value());
  EXPECT_FALSE(shape_scores({}, prod).length.has_value());
}

TEST(TypeScores, CaseInsensitiveEqualityAndMissingIsNull) {
  Category a{.type = "Tile", .material = "Porcelain"};
  Category b{.type = " tile ", .material = "Ceramic"};
  auto s = type_scores(a, b);
  EXPECT_EQ(s.type, 1.0);
  EXPECT_EQ(s.material, 0.0);
  EXPECT_FALSE(type_scores(a, Category{}).type.has_value());
}

TEST(Match, WeightedMeanOfPresentScoresOnly) {
  Scores s;
  s.type.type = 1.0;
  s.shape.length = 0.0;
  set_match(s);
  EXPECT_NEAR(*s.match, 0.10 / 0.15, 1e-12);
  Scores none;
  set_match(none);
  EXPECT_FALSE(none.match.has_value());
}

}  // namespace
}  // namespace k9::vision
