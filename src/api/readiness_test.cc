// Readiness: a hung check never holds a probe past the bound, nor more than one thread; a
// failing or throwing check makes it not ready, naming the check; it recovers when the check does.
#include "api/readiness.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <vector>

namespace k9::api {
namespace {

using namespace std::chrono_literals;

TEST(Readiness, ReadyWhenEveryCheckAnswersAndNamesTheOneThatDoesNot) {
  std::atomic<bool> store_ok{true};
  Readiness r({{"store", [&] { return store_ok.load(); }},
               {"blobs", []() -> bool { throw std::runtime_error("bucket gone"); }}},
              500ms, 0ms);
  auto res = r.probe();
  EXPECT_FALSE(res.ready);
  ASSERT_EQ(res.checks.size(), 2u);
  EXPECT_EQ(res.checks[0], std::make_pair(std::string("store"), std::string("ok")));
  EXPECT_EQ(res.checks[1].second, "not usable: bucket gone");

  Readiness good({{"store", [&] { return store_ok.load(); }}}, 500ms, 0ms);
  EXPECT_TRUE(good.probe().ready);
  store_ok = false;
  res = good.probe();
  EXPECT_FALSE(res.ready);
  EXPECT_EQ(res.checks.at(0).second, "not answering");
  store_ok = true;
  EXPECT_TRUE(good.probe().ready);
}

TEST(Readiness, AHungCheckIsAnsweredWithinTheBoundByOneThread) {
  std::atomic<bool> hang{true};
  std::atomic<int> running{0}, most{0}, calls{0};
  Readiness r({{"store", [&] { return true; }},
               {"dynamodb", [&] {
                  int now = ++running;
                  most = std::max(most.load(), now);
                  ++calls;
                  while (hang) std::this_thread::sleep_for(5ms);
                  --running;
                  return true;
                }}},
              200ms, 0ms);
  std::vector<std::future<Readiness::Result>> probes;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 8; ++i) probes.push_back(std::async(std::launch::async, [&] { return r.probe(); }));
  for (auto& p : probes) {
    auto res = p.get();
    EXPECT_FALSE(res.ready);
    ASSERT_EQ(res.checks.size(), 1u);
    EXPECT_EQ(res.checks[0].first, "dynamodb");
    EXPECT_EQ(res.checks[0].second, "did not answer within 200 ms");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);  // eight probes, each bounded, together
  EXPECT_EQ(most.load(), 1);   // one prober, whatever the number of probes
  EXPECT_EQ(calls.load(), 1);  // still on its first, hung, call
  hang = false;
  Readiness::Result res;
  for (int i = 0; i < 50 && !res.ready; ++i) res = r.probe();
  EXPECT_TRUE(res.ready);
}

TEST(Readiness, AFreshResultIsReused) {
  std::atomic<int> calls{0};
  Readiness r({{"store", [&] { ++calls; return true; }}}, 500ms, 10s);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(r.probe().ready);
  EXPECT_EQ(calls.load(), 1);
}

}  // namespace
}  // namespace k9::api
