#include "api/list_cache.h"

#include <gtest/gtest.h>

namespace k9::api {
namespace {

std::string page_of(const std::string& id) { return R"({"reports":[{"id":")" + id + R"("}]})"; }

TEST(ListCache, ServesWhatWasStoredPerUserLimitAndCursor) {
  ListCache c;
  c.store("u", c.token("u"), 20, "", page_of("a"));
  ASSERT_TRUE(c.find("u", 20, ""));
  EXPECT_EQ(*c.find("u", 20, ""), page_of("a"));
  EXPECT_FALSE(c.find("u", 10, ""));
  EXPECT_FALSE(c.find("u", 20, "cursor"));
  EXPECT_FALSE(c.find("v", 20, ""));
}

TEST(ListCache, InvalidateDropsPages) {
  ListCache c;
  c.store("u", c.token("u"), 20, "", page_of("a"));
  c.invalidate("u");
  EXPECT_FALSE(c.find("u", 20, ""));
}

TEST(ListCache, APageReadBeforeAWriteIsNeverStoredAfterIt) {
  ListCache c;
  auto before = c.token("u");  // a reader starts...
  c.invalidate("u");           // ...a writer commits and invalidates...
  c.store("u", before, 20, "", page_of("stale"));  // ...the reader's page is stale
  EXPECT_FALSE(c.find("u", 20, ""));
  // Also for a user already cached.
  c.store("u", c.token("u"), 20, "", page_of("fresh"));
  auto seen = c.token("u");
  c.invalidate("u");
  c.store("u", seen, 10, "", page_of("stale"));
  EXPECT_FALSE(c.find("u", 10, ""));
}

TEST(ListCache, StaysBoundedWithoutServingStalePages) {
  ListCache c(/*max_users=*/2, /*pages_per_user=*/2);
  for (int i = 0; i < 3; ++i) c.store("u", c.token("u"), i + 1, "", page_of(std::to_string(i)));
  EXPECT_FALSE(c.find("u", 1, ""));  // oldest page evicted
  EXPECT_TRUE(c.find("u", 3, ""));
  auto old = c.token("x");
  c.store("v", c.token("v"), 1, "", page_of("v"));
  c.store("w", c.token("w"), 1, "", page_of("w"));  // full: cleared, new epoch
  c.store("x", old, 1, "", page_of("x"));           // a token of the old epoch stores nothing
  EXPECT_FALSE(c.find("x", 1, ""));
}

}  // namespace
}  // namespace k9::api
