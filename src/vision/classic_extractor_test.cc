// Behaviour of k9-classic-1 on made images: the properties the features promise.
#include "vision/classic_extractor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "vision/features.h"
#include "vision/scores.h"
#include "vision/test_images.h"

namespace k9::vision {
namespace {

using testing::encode;
const ClassicExtractor extractor;

Features extract(const cv::Mat& m, const char* ext = ".png") { return extractor.extract({encode(m, ext)}); }
Lab primary(const Features& f) { return {f.vector[0], f.vector[1], f.vector[2]}; }

cv::Mat multiply_channels(const cv::Mat& m, double b, double g, double r) {
  cv::Mat out;
  cv::multiply(m, cv::Scalar(b, g, r), out);
  return out;
}

TEST(ClassicExtractor, VersionAndDimension) {
  EXPECT_EQ(extractor.model_version(), "k9-classic-1");
  auto f = extract(testing::noise_texture({128, 128}, 4, {90, 120, 150}, 30, 1));
  EXPECT_EQ(f.model_version, "k9-classic-1");
  EXPECT_EQ(f.vector.size(), extractor.dimension());
}

TEST(ClassicExtractor, DeterministicAndSharesSumToOne) {
  cv::Mat m = testing::noise_texture({160, 120}, 5, {60, 100, 170}, 40, 2);
  auto a = extract(m), b = extract(m);
  EXPECT_EQ(a.vector, b.vector);
  float shares = a.vector[3] + a.vector[7] + a.vector[11];
  EXPECT_NEAR(shares, 1, 1e-5);
  EXPECT_GE(a.vector[3], a.vector[7]);
  EXPECT_GE(a.vector[7], a.vector[11]);
}

TEST(ClassicExtractor, TwoColourMaterialFindsBothColours) {
  // 70% terracotta, 30% cream, in blocks.
  cv::Mat m(200, 200, CV_8UC3, cv::Scalar(60, 90, 190));
  m(cv::Rect(0, 140, 200, 60)).setTo(cv::Scalar(200, 230, 240));
  auto f = extract(m);
  EXPECT_NEAR(f.vector[3] + f.vector[7] + f.vector[11], 1, 1e-5);
  Lab terracotta = primary(f);
  EXPECT_GT(terracotta.a, 25);  // red
  EXPECT_NEAR(f.vector[3], 0.7, 0.05);
  bool cream_found = false;
  for (size_t i = 1; i < 3; ++i) cream_found |= f.vector[i * 4] > 85 && f.vector[i * 4 + 3] > 0.2;
  EXPECT_TRUE(cream_found);
}

TEST(ClassicExtractor, NeutralMaterialSurvivesAColourCast) {
  cv::Mat grey = testing::noise_texture({200, 200}, 6, {130, 135, 140}, 35, 4);
  cv::Mat warm = multiply_channels(grey, 0.88, 1.0, 1.12);  // about 3000 K against 5000 K
  double plain = ciede2000(primary(extract(grey)), primary(extract(warm)));
  // Without correction, the cast alone moves the mean colour this far.
  cv::Scalar g = cv::mean(grey), w = cv::mean(warm);
  cv::Mat two(1, 2, CV_32FC3);
  two.at<cv::Vec3f>(0, 0) = cv::Vec3f(g[0], g[1], g[2]) / 255;
  two.at<cv::Vec3f>(0, 1) = cv::Vec3f(w[0], w[1], w[2]) / 255;
  cv::cvtColor(two, two, cv::COLOR_BGR2Lab);
  auto lab = [&](int i) { auto v = two.at<cv::Vec3f>(0, i); return Lab{v[0], v[1], v[2]}; };
  double uncorrected = ciede2000(lab(0), lab(1));
  EXPECT_GT(uncorrected, 6);
  EXPECT_LT(plain, 3.5);  // about one just-noticeable difference is left
}

TEST(ClassicExtractor, StronglyColouredMaterialKeepsItsColour) {
  cv::Mat green = testing::noise_texture({160, 160}, 6, {60, 150, 40}, 20, 5);
  Lab p = primary(extract(green));
  EXPECT_LT(p.a, -30);  // still clearly green after white balance
}

TEST(ClassicExtractor, UnevenLightIsFlattened) {
  cv::Mat m = testing::noise_texture({256, 256}, 5, {120, 140, 160}, 30, 6);
  cv::Mat lit = m.clone();
  for (int y = 0; y < lit.rows; ++y)
    for (int x = 0; x < lit.cols; ++x) lit.at<cv::Vec3b>(y, x) *= 0.55 + 0.9 * x / double(lit.cols);  // a window on the right
  auto a = extract(m), b = extract(lit);
  EXPECT_LT(ciede2000(primary(a), primary(b)), 4);
  EXPECT_GT(pattern_scores(a.vector, b.vector).primary, 0.9);
}

TEST(ClassicExtractor, PatternToleratesRotationButSeparatesDirectionality) {
  cv::Scalar light(190, 200, 210), dark(90, 100, 120);
  auto stripes0 = extract(testing::stripes({256, 256}, 12, 0, light, dark));
  auto stripes60 = extract(testing::stripes({256, 256}, 12, 60, light, dark));
  auto isotropic = extract(testing::noise_texture({256, 256}, 6, {150, 150, 165}, 50, 9));
  double same = pattern_scores(stripes0.vector, stripes60.vector).secondary;
  double other = pattern_scores(stripes0.vector, isotropic.vector).secondary;
  EXPECT_GT(same, 0.9);
  EXPECT_LT(other, same - 0.2);
}

TEST(ClassicExtractor, PatternToleratesScale) {
  cv::Mat fine = testing::noise_texture({512, 512}, 6, {120, 130, 140}, 50, 11);
  cv::Mat zoomed;  // the centre half, enlarged: a photo from twice as near
  cv::resize(fine(cv::Rect(128, 128, 256, 256)), zoomed, {512, 512}, 0, 0, cv::INTER_CUBIC);
  cv::Mat other = testing::noise_texture({512, 512}, 24, {120, 130, 140}, 50, 12);
  auto a = extract(fine), b = extract(zoomed), c = extract(testing::stripes({512, 512}, 5, 30, {200, 200, 200}, {60, 60, 60}));
  double same = pattern_scores(a.vector, b.vector).primary;
  EXPECT_GT(same, 0.85);
  EXPECT_GT(same, pattern_scores(a.vector, c.vector).primary);
  (void)other;
}

TEST(ClassicExtractor, MaskLimitsTheMaterial) {
  cv::Mat m(160, 200, CV_8UC3, cv::Scalar(200, 50, 30));  // blue
  m(cv::Rect(100, 0, 100, 160)).setTo(cv::Scalar(30, 40, 210));  // right half red
  cv::Mat mask(160, 200, CV_8U, cv::Scalar(0));
  mask(cv::Rect(100, 0, 100, 160)).setTo(1);  // any non-zero value marks material
  auto f = extractor.extract({encode(m, ".png"), encode(mask, ".png")});
  for (size_t i = 0; i < kColours; ++i) EXPECT_GT(f.vector[i * kColourStride + 1], 40) << i;  // all red
}

TEST(ClassicExtractor, SelectionIsRectifiedBeforeAnalysis) {
  // A red rectangle in a blue photo, seen tilted (perspective): the selection covers exactly it.
  cv::Mat photo(480, 640, CV_8UC3, cv::Scalar(200, 60, 30));
  Selection s{.width = 200, .height = 150, .x = 320, .y = 240, .scale = 1.2};
  double angle = 0.5;  // about 57 degrees around x, plus a turn around z
  s.qx = std::sin(angle / 2) * 0.8, s.qz = std::sin(angle / 2) * 0.6, s.qw = std::cos(angle / 2);
  Quad q = selection_quad(s, 640, 480);
  std::vector<cv::Point> poly;
  for (auto& p : q) poly.emplace_back(int(std::lround(p.x)), int(std::lround(p.y)));
  cv::fillConvexPoly(photo, poly, cv::Scalar(40, 30, 200));
  // The top edge is farther than the bottom one after tilting about x: perspective.
  double top = std::hypot(q[1].x - q[0].x, q[1].y - q[0].y), bottom = std::hypot(q[2].x - q[3].x, q[2].y - q[3].y);
  EXPECT_GT(std::abs(top - bottom), 5);
  auto f = extractor.extract({encode(photo, ".png"), std::nullopt, s});
  EXPECT_GT(f.vector[1], 40);   // primary red
  EXPECT_GT(f.vector[3], 0.9);  // almost nothing else: the quad is the red rectangle
}

TEST(ClassicExtractor, SameFramingAtAnotherResolutionGivesNearlyTheSameVector) {
  cv::Mat big = testing::noise_texture({2000, 1500}, 20, {110, 130, 150}, 40, 13);
  cv::Mat small;
  cv::resize(big, small, {1000, 750}, 0, 0, cv::INTER_AREA);
  auto a = extract(big, ".jpg"), b = extract(small, ".jpg");
  EXPECT_LT(ciede2000(primary(a), primary(b)), 1.5);
  EXPECT_GT(pattern_scores(a.vector, b.vector).primary, 0.95);
}

}  // namespace
}  // namespace k9::vision
