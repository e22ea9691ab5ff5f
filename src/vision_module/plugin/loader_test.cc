// The loader against the libk9_vision.so of this build (K9_VISION_MODULE_FILE), and the k9
// executable's entry points through it: this test binary, like k9, links the plugin side
// (K9_VISION_PLUGIN) and no OpenCV, and finds the library beside itself in the build folder.
#include "vision_module/plugin/loader.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>

#include "core/error.h"
#include "testing/base/temp_dir.h"
#include "vision/extractors.h"
#include "vision/features.h"
#include "vision/image_error.h"

namespace k9::vision_module {
namespace {

bool module_loaded() {
  void* h = dlopen(K9_VISION_MODULE_FILE, RTLD_NOW | RTLD_NOLOAD);
  if (h) dlclose(h);
  return h != nullptr;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(VisionModuleLoader, LooksBesideTheExecutableThenInLib) {
  auto c = module_candidates("/opt/k9/bin/k9");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], std::filesystem::path("/opt/k9/bin/libk9_vision.so"));
  EXPECT_EQ(c[1], std::filesystem::path("/opt/k9/lib/libk9_vision.so"));
}

TEST(VisionModuleLoader, AMissingLibraryIsAnErrorNamingIt) {
  try {
    load_module_file("/nonexistent/libk9_vision.so");
    FAIL() << "loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::internal);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/libk9_vision.so"), std::string::npos) << e.what();
  }
}

TEST(VisionModuleLoader, TheLibraryAnalysesAndItsErrorsKeepTheirTypes) {
  const Table& m = load_module_file(K9_VISION_MODULE_FILE);
  EXPECT_EQ(&m, &loaded_module());  // the same library, found beside this binary
  try {
    m.make_extractor("k9-classic-0", {});
    FAIL() << "an unknown version";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request);
    EXPECT_NE(e.message().find("k9-classic-1"), std::string::npos) << e.message();
  }
  auto x = m.make_extractor(vision::kClassicModelVersion, {});
  try {
    x->extract({"GIF89a not an image K9 reads"});
    FAIL() << "a GIF";
  } catch (const vision::ImageError& e) {
    EXPECT_EQ(e.kind(), vision::ImageErrorKind::unsupported) << e.what();
  }

  testkit::TempDir dir("vision-module");
  size_t calls = 0;
  m.write_demo_catalog({.count = 1, .seed = 7, .photos = 1}, dir.path(), [&](size_t, size_t) { ++calls; });
  EXPECT_EQ(calls, 1u);
  ASSERT_TRUE(std::filesystem::exists(dir / "products.jsonl"));
  std::string photo;
  for (auto& f : std::filesystem::directory_iterator(dir / "images")) photo = read_file(f.path());
  ASSERT_FALSE(photo.empty());
  auto f = x->extract({photo});
  EXPECT_EQ(f.model_version, vision::kClassicModelVersion);
  ASSERT_EQ(f.vector.size(), vision::kDimension);
  for (float v : f.vector) EXPECT_TRUE(std::isfinite(v));
}

TEST(VisionModuleLoader, TheExecutablesExtractorLoadsTheLibraryAtItsFirstExtract) {
  auto x = vision::make_extractor(vision::kClassic2ModelVersion);
  EXPECT_EQ(x->model_version(), vision::kClassic2ModelVersion);
  EXPECT_EQ(x->dimension(), vision::kDimension);
  EXPECT_FALSE(module_loaded());
  // Bad input inside the library: the same ImageError the analysis maps to 400.
  EXPECT_THROW(x->extract({""}), vision::ImageError);
  EXPECT_TRUE(module_loaded());
  EXPECT_THROW(vision::make_extractor("k9-classic-0"), Error);
}

}  // namespace
}  // namespace k9::vision_module
