#include "core/prefetched.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace k9 {
namespace {

using namespace std::chrono_literals;

TEST(Prefetched, FetchesOnceBeforeTheFirstGetAndKeepsTheValue) {
  std::atomic<int> calls{0};
  std::atomic<bool> started{false};
  Prefetched<std::string> key([&] {
    started = true;
    ++calls;
    return std::string("secret");
  });
  for (int i = 0; i < 200 && !started; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(started) << "the fetch did not start before anyone asked";
  EXPECT_EQ(key.get(), "secret");
  EXPECT_EQ(key.get(), "secret");
  EXPECT_EQ(calls, 1);
}

TEST(Prefetched, GetWaitsForASlowFirstFetch) {
  Prefetched<int> slow([] {
    std::this_thread::sleep_for(50ms);
    return 7;
  });
  EXPECT_EQ(slow.get(), 7);
}

TEST(Prefetched, AFailedFirstFetchIsTriedAgainByTheCallerAndThrowsWhatThatThrows) {
  std::atomic<int> calls{0};
  Prefetched<std::string> flaky([&]() -> std::string {
    int n = ++calls;
    if (n <= 2) throw std::runtime_error("fetch " + std::to_string(n) + " failed");
    return "third time";
  });
  try {
    flaky.get();  // the first fetch failed; this caller's own attempt (the second) fails too
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "fetch 2 failed");
  }
  EXPECT_EQ(flaky.get(), "third time");
  EXPECT_EQ(flaky.get(), "third time");
  EXPECT_EQ(calls, 3);
}

TEST(Prefetched, ManyCallersAtOnceSeeOneValue) {
  std::atomic<int> calls{0};
  Prefetched<int> value([&] {
    std::this_thread::sleep_for(20ms);
    return ++calls;
  });
  std::vector<int> seen(8, 0);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < 8; ++i) threads.emplace_back([&, i] { seen[i] = value.get(); });
  }
  for (int v : seen) EXPECT_EQ(v, 1);
  EXPECT_EQ(calls, 1);
}

TEST(Prefetched, DestroyedUnusedWaitsForTheFetch) {
  std::atomic<bool> done{false};
  {
    Prefetched<int> unused([&] {
      std::this_thread::sleep_for(30ms);
      done = true;
      return 1;
    });
  }
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace k9
