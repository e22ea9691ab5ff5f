#include "testing/base/temp_dir.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/base/fake_clock.h"

namespace k9::testkit {
namespace {

namespace fs = std::filesystem;

TEST(TempDir, IsFreshPerInstanceAndGoesWithEverythingInIt) {
  fs::path kept;
  {
    TempDir a("kit"), b("kit");
    EXPECT_NE(a.path(), b.path());
    EXPECT_TRUE(fs::is_directory(a.path()));
    EXPECT_TRUE(fs::is_empty(a.path()));
    EXPECT_EQ(a.path().parent_path(), fs::temp_directory_path());
    EXPECT_TRUE(a.path().filename().string().starts_with("k9-kit-")) << a.path();
    fs::create_directories(a / "x/y");
    std::ofstream(a / "x/y/z.txt") << "z";
    kept = a.path();
  }
  EXPECT_FALSE(fs::exists(kept));
}

TEST(FakeClock, MovesOnlyWhenTold) {
  FakeClock clock(100);
  EXPECT_EQ(unix_seconds(clock.now()), 100);
  clock.advance(5);
  EXPECT_EQ(clock.seconds(), 105);
  clock.set(7);
  EXPECT_EQ(unix_seconds(clock.now()), 7);
}

}  // namespace
}  // namespace k9::testkit
