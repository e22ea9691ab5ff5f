#include "core/random.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace k9 {
namespace {

TEST(Uuid, Version4IsRandomAndWellFormed) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto u = new_uuid();
    ASSERT_EQ(u.size(), 36u);
    EXPECT_EQ(u[14], '4');
    EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b') << u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Uuid, Version7SortsInTimeOrderAndStaysUnique) {
  std::string before = new_time_ordered_uuid();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto u = new_time_ordered_uuid();
    ASSERT_EQ(u.size(), 36u);
    EXPECT_EQ(u[14], '7') << u;
    EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b') << u;
    EXPECT_GT(u, before) << "a later id sorts after an earlier millisecond's";
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u) << "74 random bits keep ids of one millisecond apart";
}

}  // namespace
}  // namespace k9
