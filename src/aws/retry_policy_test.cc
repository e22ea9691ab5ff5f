#include "aws/retry_policy.h"

#include <gtest/gtest.h>

#include <set>

#include "aws/crc32.h"

namespace k9::aws {
namespace {

TEST(Backoff, FullJitterUnderAnExponentialCap) {
  RetryPolicy p{6, std::chrono::milliseconds(10), std::chrono::milliseconds(50), std::chrono::milliseconds(60000)};
  std::vector<double> caps;
  Backoff b(p, [&](double hi) { caps.push_back(hi); return hi; });  // always the maximum
  std::vector<long long> delays;
  while (auto d = b.next_delay()) delays.push_back(d->count());
  EXPECT_EQ(caps, (std::vector<double>{10, 20, 40, 50, 50}));
  EXPECT_EQ(delays, (std::vector<long long>{10, 20, 40, 50, 50}));
  EXPECT_EQ(b.attempts(), 6);
}

TEST(Backoff, DelaysAreRandomWithinTheCap) {
  RetryPolicy p{100, std::chrono::milliseconds(100), std::chrono::milliseconds(100), std::chrono::milliseconds(600000)};
  Backoff b(p);
  std::set<long long> seen;
  for (int i = 0; i < 50; ++i) {
    auto d = b.next_delay();
    ASSERT_TRUE(d);
    EXPECT_GE(d->count(), 0);
    EXPECT_LE(d->count(), 100);
    seen.insert(d->count());
  }
  EXPECT_GT(seen.size(), 10u) << "full jitter spreads retries";
}

TEST(Backoff, StopsWhenTheTotalBudgetWouldBeExceeded) {
  RetryPolicy p{100, std::chrono::milliseconds(1000), std::chrono::milliseconds(1000), std::chrono::milliseconds(500)};
  Backoff b(p, [](double hi) { return hi; });
  EXPECT_FALSE(b.next_delay()) << "a 1 s sleep does not fit a 0.5 s budget";
}

TEST(Crc32, MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32(""), 0u);
  EXPECT_EQ(crc32("{\"TableNames\":[]}"), 1315925753u);  // as DynamoDB Local sent it
}

}  // namespace
}  // namespace k9::aws
