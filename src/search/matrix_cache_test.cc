#include "search/matrix_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

namespace k9::search {
namespace {

MatrixCache::Matrix matrix(size_t rows) {
  auto m = std::make_shared<ScoreMatrix>();
  m->id_width = 4;
  m->ids.assign(rows * 4, 'x');
  for (auto& c : m->columns) c.assign(rows, 0.5f);
  return m;
}

TEST(MatrixCache, StaysWithinItsBudget) {
  const size_t one = matrix(100)->bytes();
  MatrixCache cache(one * 5 + one / 2);
  std::mt19937 rng(1);
  for (int i = 0; i < 2000; ++i) {
    size_t rows = 1 + rng() % 300;  // some are larger than a fifth of the budget
    auto key = "k" + std::to_string(rng() % 40);
    auto m = cache.get_or_load(key, [&] { return matrix(rows); });
    ASSERT_TRUE(m);
    ASSERT_LE(cache.bytes(), cache.budget());
  }
  EXPECT_GT(cache.size(), 0u);
}

TEST(MatrixCache, EvictsTheLeastRecentlyUsed) {
  const size_t one = matrix(100)->bytes();
  MatrixCache cache(one * 3);
  int loads = 0;
  auto load = [&] {
    ++loads;
    return matrix(100);
  };
  cache.get_or_load("a", load);
  cache.get_or_load("b", load);
  cache.get_or_load("c", load);
  EXPECT_EQ(cache.bytes(), one * 3);
  cache.get_or_load("a", load);  // a is now the most recent: b goes next
  EXPECT_EQ(loads, 3);
  cache.get_or_load("d", load);
  EXPECT_EQ(loads, 4);
  EXPECT_TRUE(cache.find("a"));
  EXPECT_FALSE(cache.find("b"));
  EXPECT_TRUE(cache.find("c"));
  EXPECT_TRUE(cache.find("d"));
  cache.erase("c");
  EXPECT_FALSE(cache.find("c"));
  EXPECT_EQ(cache.bytes(), one * 2);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(MatrixCache, ReturnsButDoesNotKeepAMatrixLargerThanTheBudget) {
  MatrixCache cache(matrix(10)->bytes());
  cache.get_or_load("small", [] { return matrix(10); });
  auto big = cache.get_or_load("big", [] { return matrix(1000); });
  EXPECT_EQ(big->size(), 1000u);
  EXPECT_FALSE(cache.find("big"));
  EXPECT_TRUE(cache.find("small"));  // nothing evicted for it
}

TEST(MatrixCache, LoadsOnceForConcurrentCallers) {
  MatrixCache cache(1 << 30);
  std::atomic<int> loads{0};
  std::vector<std::thread> threads;
  std::vector<MatrixCache::Matrix> got(16);
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&, t] {
      got[t] = cache.get_or_load("same", [&] {
        ++loads;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return matrix(10);
      });
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(loads.load(), 1);
  for (auto& m : got) EXPECT_EQ(m, got[0]);
}

TEST(MatrixCache, AFailedLoadReachesEveryWaiterAndIsRetriedLater) {
  MatrixCache cache(1 << 30);
  std::atomic<int> loads{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      try {
        cache.get_or_load("k", [&]() -> MatrixCache::Matrix {
          ++loads;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          throw std::runtime_error("blob store down");
        });
      } catch (const std::runtime_error&) {
        ++failures;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(loads.load(), 1);
  EXPECT_EQ(failures.load(), 8);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_TRUE(cache.get_or_load("k", [] { return matrix(1); }));
  EXPECT_THROW(cache.get_or_load("null", [] { return MatrixCache::Matrix(); }), std::logic_error);
}

TEST(MatrixCache, EraseDuringALoadDropsItsResult) {
  MatrixCache cache(1 << 30);
  std::atomic<bool> started{false};
  std::thread loader([&] {
    cache.get_or_load("k", [&] {
      started = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      return matrix(1);
    });
  });
  while (!started) std::this_thread::yield();
  cache.erase("k");
  loader.join();
  EXPECT_FALSE(cache.find("k"));
}

TEST(MatrixCache, ManyThreadsManyKeys) {
  const size_t one = matrix(50)->bytes();
  MatrixCache cache(one * 8);
  std::vector<std::thread> threads;
  std::atomic<bool> over{false};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 2000; ++i) {
        auto key = std::to_string(rng() % 20);
        if (rng() % 10 == 0) cache.erase(key);
        else cache.get_or_load(key, [] { return matrix(50); });
        if (cache.bytes() > cache.budget()) over = true;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_FALSE(over.load());
}

}  // namespace
}  // namespace k9::search
