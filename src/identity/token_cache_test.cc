#include "identity/token_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "identity/fake_clock.h"

namespace k9::identity {
namespace {

using testing::FakeClock;

Principal principal(std::string sub, int64_t exp) {
  return Principal{std::move(sub), "user", "Name", "a@b.c", "id", exp};
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

TEST(TokenCache, IgnoresAlreadyExpiredPrincipal) {
  FakeClock clock;
  TokenCache cache(100, clock);
  cache.insert("t", principal("a", clock.seconds()));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.find("t"));
}

TEST(TokenCache, StaysWithinCapacityDroppingOldestFirst) {
  FakeClock clock;
  TokenCache cache(64, clock);
  for (int i = 0; i < 1000; ++i) cache.insert("token-" + std::to_string(i), principal(std::to_string(i), clock.seconds() + 100));
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
  for (int i = 0; i < 200; ++i) cache.insert("old-" + std::to_string(i), principal("old", clock.seconds() + 5));
  clock.advance(10);
  for (int i = 0; i < 200; ++i) cache.insert("new-" + std::to_string(i), principal("new", clock.seconds() + 100));
  EXPECT_LE(cache.size(), 16u);
  for (int i = 0; i < 200; ++i) EXPECT_FALSE(cache.find("old-" + std::to_string(i)));
}

TEST(TokenCache, ClearEmptiesIt) {
  FakeClock clock;
  TokenCache cache(100, clock);
  cache.insert("t", principal("a", clock.seconds() + 60));
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.find("t"));
}

TEST(TokenCache, ConcurrentReadersAndWriters) {
  FakeClock clock;
  TokenCache cache(1000, clock);
  for (int i = 0; i < 100; ++i) cache.insert("t" + std::to_string(i), principal(std::to_string(i), clock.seconds() + 60));
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
