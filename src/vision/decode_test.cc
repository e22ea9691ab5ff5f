#include <gtest/gtest.h>

#include "vision/decode.h"
#include "vision/test_images.h"

namespace k9::vision {
namespace {

// 120 wide, 60 high: left half red, right half blue.
cv::Mat red_left_blue_right() {
  cv::Mat m(60, 120, CV_8UC3, cv::Scalar(0, 0, 255));
  m(cv::Rect(60, 0, 60, 60)).setTo(cv::Scalar(255, 0, 0));
  return m;
}

bool is_red(const cv::Vec3b& p) { return p[2] > 200 && p[0] < 60; }
bool is_blue(const cv::Vec3b& p) { return p[0] > 200 && p[2] < 60; }

TEST(Decode, ExifOrientationIsApplied) {
  std::string jpeg = testing::encode(red_left_blue_right(), ".jpg");
  // Orientation 6: the camera was turned; show the picture turned 90 degrees clockwise, so
  // the left (red) half ends up on top.
  auto d = decode_image(testing::with_exif_orientation(jpeg, 6), ImageLimits{}, 1, "image");
  ASSERT_EQ(d.bgr.cols, 60);
  ASSERT_EQ(d.bgr.rows, 120);
  EXPECT_TRUE(is_red(d.bgr.at<cv::Vec3b>(10, 30)));
  EXPECT_TRUE(is_blue(d.bgr.at<cv::Vec3b>(110, 30)));
  EXPECT_EQ(d.full_size, cv::Size(60, 120));
}

TEST(Decode, ExifOrientationIsAppliedWhenDecodingReduced) {
  std::string jpeg = testing::encode(red_left_blue_right(), ".jpg");
  auto d = decode_image(testing::with_exif_orientation(jpeg, 6), ImageLimits{}, 2, "image");
  ASSERT_EQ(d.bgr.size(), cv::Size(30, 60));
  EXPECT_EQ(d.reduction, 2);
  EXPECT_TRUE(is_red(d.bgr.at<cv::Vec3b>(5, 15)));
  EXPECT_EQ(d.full_size, cv::Size(60, 120));
}

TEST(Decode, NoExifKeepsTheLayout) {
  auto d = decode_image(testing::encode(red_left_blue_right(), ".jpg"), ImageLimits{}, 1, "image");
  ASSERT_EQ(d.bgr.size(), cv::Size(120, 60));
  EXPECT_TRUE(is_red(d.bgr.at<cv::Vec3b>(30, 10)));
}

TEST(Decode, MaskMustMatchTheOrientedImage) {
  std::string jpeg = testing::with_exif_orientation(testing::encode(red_left_blue_right(), ".jpg"), 6);
  auto d = decode_image(jpeg, ImageLimits{}, 1, "image");
  cv::Mat upright(120, 60, CV_8U, cv::Scalar(255));
  EXPECT_EQ(cv::countNonZero(decode_mask(testing::encode(upright, ".png"), ImageLimits{}, 1, d.full_size, d.bgr.size())),
            60 * 120);
  cv::Mat sideways(60, 120, CV_8U, cv::Scalar(255));
  EXPECT_THROW(decode_mask(testing::encode(sideways, ".png"), ImageLimits{}, 1, d.full_size, d.bgr.size()), ImageError);
}

}  // namespace
}  // namespace k9::vision
