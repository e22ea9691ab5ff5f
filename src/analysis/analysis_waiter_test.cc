#include "analysis/analysis_waiter.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/error.h"
#include "testing/base/temp_dir.h"
#include "testing/store/sqlite_on_disk.h"

namespace k9::analysis {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class AnalysisWaiterTest : public ::testing::Test {
 protected:
  std::string new_report(const std::string& user) {
    Product p;
    p.model = "Oak";
    return reports_.create(user, "U", "Kitchen", p).id;
  }
  // The report's analysis status, as the analysis workers set it (through `via`, another
  // repository on the same store: another process).
  void set(const std::string& user, const std::string& id, const char* status, repo::ReportRepository* via = nullptr) {
    (via ? *via : reports_).set_analysis(user, id, {status, kNewAnalysisModelVersion, std::nullopt});
  }
  // waiter.wait(user, id, timeout) answers the report with `status`, after at least `min_s`
  // and under `max_s` seconds.
  static void expect_wait(AnalysisWaiter& waiter, const std::string& user, const std::string& id,
                          std::chrono::milliseconds timeout, const char* status, double min_s, double max_s) {
    auto t0 = Clock::now();
    EXPECT_EQ(waiter.wait(user, id, timeout).analysis.status, status);
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    EXPECT_GE(s, min_s);
    EXPECT_LT(s, max_s);
  }

  testkit::TempDir dir_{"analysis-waiter"};
  repo::Tables tables_ = testkit::default_tables();
  std::unique_ptr<store::Store> store_ = testkit::open_sqlite(dir_.path(), tables_);
  repo::ReportRepository reports_{*store_, tables_, repo::CursorCodec("waiter-test-secret-0123456789")};
};

// A change committed by this process (its analysis workers) wakes the waiter at once, long
// before its poll would have.
TEST_F(AnalysisWaiterTest, AnswersAsSoonAsTheAnalysisIsReady) {
  AnalysisWaiter waiter(reports_, 30s);  // a poll that would never come within the test
  std::string id = new_report("alice");
  std::jthread worker([&] {
    std::this_thread::sleep_for(150ms);
    set("alice", id, "running");
    std::this_thread::sleep_for(100ms);
    set("alice", id, "ready");
  });
  expect_wait(waiter, "alice", id, 20s, "ready", 0.2, 5.0);
}

TEST_F(AnalysisWaiterTest, AFailedAnalysisEndsTheWaitToo) {
  AnalysisWaiter waiter(reports_, 30s);
  std::string id = new_report("alice");
  std::jthread worker([&] {
    std::this_thread::sleep_for(100ms);
    reports_.set_analysis("alice", id, {"failed", kNewAnalysisModelVersion, "reference.images[0]: no pixels"});
  });
  Report r = waiter.wait("alice", id, 20s);
  EXPECT_EQ(r.analysis.status, "failed");
  EXPECT_EQ(r.analysis.error.value_or(""), "reference.images[0]: no pixels");
}

// An analysis run elsewhere (another process writes the store; no change is heard here): the
// poll sees it.
TEST_F(AnalysisWaiterTest, PollsForChangesItDoesNotHear) {
  std::string id = new_report("alice");
  repo::ReportRepository elsewhere(*store_, tables_, repo::CursorCodec("waiter-test-secret-0123456789"));
  AnalysisWaiter waiter(reports_, 50ms);
  std::jthread worker([&] {
    std::this_thread::sleep_for(200ms);
    set("alice", id, "ready", &elsewhere);
  });
  expect_wait(waiter, "alice", id, 20s, "ready", 0, 5.0);
}

// Bounded: past the timeout the report comes back as it is; ended ones at once; another
// user's report is not found. Other users' changes do not end anyone's wait.
TEST_F(AnalysisWaiterTest, BoundedAndOwned) {
  AnalysisWaiter waiter(reports_, 40ms);
  std::string id = new_report("alice");
  std::string bobs = new_report("bob");
  std::jthread noise([&] {
    for (int i = 0; i < 5; ++i) {
      std::this_thread::sleep_for(30ms);
      set("bob", bobs, "running");
    }
  });
  expect_wait(waiter, "alice", id, 300ms, "pending", 0.3, 3.0);  // past the timeout: as it is

  set("alice", id, "ready");
  expect_wait(waiter, "alice", id, 10s, "ready", 0, 1.0);  // an ended one at once

  try {
    waiter.wait("bob", id, 10s);
    ADD_FAILURE() << "bob waited on alice's report";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::not_found);
  }
}

// Many waiters at once, on several reports, each woken by its own report's end.
TEST_F(AnalysisWaiterTest, ManyWaitersAtOnce) {
  AnalysisWaiter waiter(reports_, 30s);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(new_report(i % 2 ? "alice" : "bob"));
  std::vector<std::string> seen(ids.size());
  {
    std::vector<std::jthread> waiting;
    for (size_t i = 0; i < ids.size(); ++i)
      waiting.emplace_back([&, i] { seen[i] = waiter.wait(i % 2 ? "alice" : "bob", ids[i], 20s).analysis.status; });
    std::this_thread::sleep_for(100ms);
    for (size_t i = 0; i < ids.size(); ++i)
      set(i % 2 ? "alice" : "bob", ids[i], "ready");
  }
  for (auto& s : seen) EXPECT_EQ(s, "ready");
}

}  // namespace
}  // namespace k9::analysis
