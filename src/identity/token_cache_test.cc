#include "identity/token_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "testing/base/fake_clock.h"

namespace k9::identity {
namespace {

using testkit::FakeClock;

Principal principal(std::string sub, int64_t exp) {
  return Principal{std::move(sub), "user", "Name", "a@b.c", "id", exp};
}

// Inserts tokens <prefix>0 .. <prefix><count - 1>, token i for principal i (or all for `sub`),
// each valid for `lifetime` seconds of `clock`.
void fill(TokenCache& cache, const FakeClock& clock, const std::string& prefix, int count, int64_t lifetime,
          const std::string& sub = "") {
  for (int i = 0; i < count; ++i)
    cache.insert(prefix + std::to_string(i), principal(sub.empty() ? std::to_string(i) : sub, clock.seconds() + lifetime));
}

TEST(TokenCache, AnswersWhatWasInserted) {
  FakeClock clock;
  TokenCache cache(100, clock);
  cache.insert("token-a", principal("a", clock.seconds() + 60));
  auto found = cache.find("token-a");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->sub, "a");
  EXPECT_FALSE(cache.find("token-b"));
  EXPECT_FALSE(cache.find(""));
}

TEST(TokenCache, NeverAnswersAfterExp) {
  FakeClock clock;
  TokenCache cache(100, clock);
  cache.insert("t", principal("a", clock.seconds() + 10));
  clock.advance(9);
  EXPECT_TRUE(cache.find("t"));
  clock.advance(1);  // now == exp: expired
  EXPECT_FALSE(cache.find("t"));
}

void expect_empty(TokenCache& cache, const std::string& token) {
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.find(token));
}

TEST(TokenCache, IgnoresAlreadyExpiredPrincipal) {
  FakeClock clock;
  TokenCache cache(100, clock);
  cache.insert("t", principal("a", clock.seconds()));
  expect_empty(cache, "t");
}

TEST(TokenCache, StaysWithinCapacityDroppingOldestFirst) {
  FakeClock clock;
  TokenCache cache(64, clock);
  fill(cache, clock, "token-", 1000, 100);
  EXPECT_LE(cache.size(), cache.capacity());
  EXPECT_GT(cache.size(), 0u);
  // The newest is still there; the very first has been evicted.
  EXPECT_TRUE(cache.find("token-999"));
  EXPECT_FALSE(cache.find("token-0"));
}

TEST(TokenCache, EvictsExpiredBeforeLiveEntries) {
  FakeClock clock;
  TokenCache cache(16, clock);  // one entry per shard
  // Fill many entries that expire soon, then insert live ones: the expired go first.
  fill(cache, clock, "old-", 200, 5, "old");
  clock.advance(10);
  fill(cache, clock, "new-", 200, 100, "new");
  EXPECT_LE(cache.size(), 16u);
  for (int i = 0; i < 200; ++i) EXPECT_FALSE(cache.find("old-" + std::to_string(i)));
}

TEST(TokenCache, ClearEmptiesIt) {
  FakeClock clock;
  TokenCache cache(100, clock);
  cache.insert("t", principal("a", clock.seconds() + 60));
  cache.clear();
  expect_empty(cache, "t");
}

TEST(TokenCache, ConcurrentReadersAndWriters) {
  FakeClock clock;
  TokenCache cache(1000, clock);
  fill(cache, clock, "t", 100, 60);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 2000; ++round) {
        int i = (round * 7 + t) % 100;
        auto p = cache.find("t" + std::to_string(i));
        if (p && p->sub != std::to_string(i)) ++wrong;
        if (round % 10 == 0) cache.insert("w" + std::to_string(t) + "-" + std::to_string(round), principal("w", clock.seconds() + 60));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(cache.size(), cache.capacity());
}

}  // namespace
}  // namespace k9::identity
