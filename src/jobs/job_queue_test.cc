#include "jobs/job_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "jobs/worker_pool.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/base/fake_clock.h"
#include "testing/base/temp_dir.h"

namespace k9::jobs {
namespace {

using namespace std::chrono_literals;

class JobQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<store::sqlite::SqliteStore>((dir_ / "k9.db").string());
    store_->ensure_table(JobQueue::schema("jobs"));
  }
  testkit::TempDir dir_{"jobs"};
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  testkit::FakeClock clock_;
};

TEST_F(JobQueueTest, EnqueueIsDurableAndUniquePerId) {
  JobQueue q(*store_, "jobs", clock_);
  EXPECT_TRUE(q.enqueue("analysis", "r1", R"({"a":1})"));
  EXPECT_FALSE(q.enqueue("analysis", "r1", R"({"a":2})"));
  store_.reset();  // reopen: the job is on disk
  store_ = std::make_unique<store::sqlite::SqliteStore>((dir_ / "k9.db").string());
  JobQueue again(*store_, "jobs", clock_);
  auto j = again.get("r1");
  ASSERT_TRUE(j);
  EXPECT_EQ(j->payload, R"({"a":1})");
  EXPECT_EQ(j->attempts, 0);
  EXPECT_EQ(again.size("analysis"), 1u);
  EXPECT_EQ(again.size("other"), 0u);
}

TEST_F(JobQueueTest, OneClaimantAtATimeUntilTheLeaseEnds) {
  JobQueue q(*store_, "jobs", clock_);
  q.enqueue("analysis", "r1", "{}");
  auto first = q.claim("analysis", 60s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, "r1");
  EXPECT_EQ(first->attempts, 1);
  EXPECT_FALSE(q.claim("analysis", 60s)) << "claimed twice within the lease";
  EXPECT_FALSE(q.claim("other", 60s));
  clock_.advance(61);
  auto second = q.claim("analysis", 60s);  // the first claimant died: claimed again
  ASSERT_TRUE(second);
  EXPECT_EQ(second->attempts, 2);
  EXPECT_THROW(q.finish(*first), LostLease) << "a claimant whose lease was taken over changed the job";
  EXPECT_TRUE(q.get("r1"));
  q.finish(*second);
  EXPECT_FALSE(q.get("r1"));
  EXPECT_EQ(q.size("analysis"), 0u);
}

TEST_F(JobQueueTest, OldestDueFirstAndRetryWaitsItsTime) {
  JobQueue q(*store_, "jobs", clock_);
  q.enqueue("analysis", "b", "{}");
  clock_.advance(1);
  q.enqueue("analysis", "a", "{}");
  auto j = q.claim("analysis", 60s);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->id, "b");
  q.retry_at(*j, clock_.now() + 30s, "store unavailable");
  auto k = q.claim("analysis", 60s);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->id, "a");
  EXPECT_FALSE(q.claim("analysis", 60s));
  clock_.advance(30);
  auto again = q.claim("analysis", 60s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, "b");
  EXPECT_EQ(again->attempts, 2);
  EXPECT_EQ(again->last_error, "store unavailable");
}

TEST_F(JobQueueTest, ReleaseLeasesMakesClaimedJobsDueNow) {
  JobQueue q(*store_, "jobs", clock_);
  q.enqueue("analysis", "r1", "{}");
  q.enqueue("analysis", "r2", "{}");
  ASSERT_TRUE(q.claim("analysis", 300s));
  ASSERT_TRUE(q.claim("analysis", 300s));
  EXPECT_FALSE(q.claim("analysis", 300s));
  EXPECT_EQ(q.release_leases("analysis"), 2u);  // as `k9 serve` does at start after a crash
  EXPECT_TRUE(q.claim("analysis", 300s));
  EXPECT_TRUE(q.claim("analysis", 300s));
}

TEST_F(JobQueueTest, EnqueueItemJoinsACallersTransaction) {
  JobQueue q(*store_, "jobs", clock_);
  store_->ensure_table({"things", {"id", store::AttrType::S}});
  store::PutRequest thing{"things", {{"id", store::AttributeValue::S("t")}}, "attribute_not_exists(id)"};
  store_->transact_write({thing, q.enqueue_item("analysis", "t", "{}")});
  EXPECT_TRUE(q.get("t"));
  // The thing exists already: the transaction fails and no second job appears.
  EXPECT_THROW(store_->transact_write({thing, q.enqueue_item("analysis", "t2", "{}")}), store::TransactionCanceled);
  EXPECT_FALSE(q.get("t2"));
}

TEST(WorkerPoolBackoff, DoublesUpToTheCap) {
  WorkerOptions o;
  o.backoff_base = 100ms;
  o.backoff_max = 1000ms;
  EXPECT_EQ(WorkerPool::backoff(o, 1), 100ms);
  EXPECT_EQ(WorkerPool::backoff(o, 2), 200ms);
  EXPECT_EQ(WorkerPool::backoff(o, 4), 800ms);
  EXPECT_EQ(WorkerPool::backoff(o, 5), 1000ms);
  EXPECT_EQ(WorkerPool::backoff(o, 30), 1000ms);
}

class WorkerPoolTest : public JobQueueTest {};

template <class F>
bool eventually(F f, std::chrono::milliseconds limit = 10s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return f();
}

TEST_F(WorkerPoolTest, RunsEveryJobExactlyOnceAcrossThreads) {
  JobQueue q(*store_, "jobs");
  for (int i = 0; i < 60; ++i) q.enqueue("analysis", "job-" + std::to_string(i), std::to_string(i));
  std::mutex m;
  std::multiset<std::string> ran;
  WorkerOptions o;
  o.threads = 4;
  o.poll = 20ms;
  WorkerPool pool(q, "analysis", [&](const Job& j) {
    std::lock_guard lock(m);
    ran.insert(j.id);
  }, [](const Job&, const std::string&) { FAIL() << "gave up"; }, o);
  pool.start();
  EXPECT_TRUE(eventually([&] { return q.size("analysis") == 0; }));
  pool.stop();
  EXPECT_EQ(ran.size(), 60u);
  EXPECT_EQ(std::set<std::string>(ran.begin(), ran.end()).size(), 60u) << "a job ran twice";
}

TEST_F(WorkerPoolTest, TransientFailuresRetryWithBackoffThenGiveUp) {
  JobQueue q(*store_, "jobs");
  q.enqueue("analysis", "flaky", "{}");
  q.enqueue("analysis", "broken", "{}");
  std::atomic<int> flaky_calls = 0, broken_calls = 0;
  std::mutex m;
  std::map<std::string, std::string> gave_up;
  WorkerOptions o;
  o.threads = 2;
  o.max_attempts = 3;
  o.backoff_base = 10ms;
  o.poll = 5ms;
  WorkerPool pool(q, "analysis", [&](const Job& j) {
    if (j.id == "flaky") {
      if (++flaky_calls < 3) throw RetryLater("blob store unavailable");
      return;  // third time lucky
    }
    ++broken_calls;
    throw RetryLater("store unavailable");
  }, [&](const Job& j, const std::string& message) {
    std::lock_guard lock(m);
    gave_up[j.id] = message;
  }, o);
  pool.start();
  EXPECT_TRUE(eventually([&] { return q.size("analysis") == 0; }));
  pool.stop();
  EXPECT_EQ(flaky_calls, 3);
  EXPECT_EQ(broken_calls, 3) << "retried beyond max_attempts";
  ASSERT_EQ(gave_up.size(), 1u);
  EXPECT_EQ(gave_up["broken"], "store unavailable");
}

TEST_F(WorkerPoolTest, ARetryIsDueByTheQueuesClock) {
  JobQueue q(*store_, "jobs", clock_);  // a fake time, a year from the real one
  q.enqueue("analysis", "later", "{}");
  WorkerOptions o;
  o.backoff_base = o.backoff_max = 2000ms;  // due again 1-2 s after the failure
  o.poll = 5ms;
  WorkerPool pool(q, "analysis", [](const Job&) { throw RetryLater("not yet"); },
                  [](const Job&, const std::string&) { FAIL() << "gave up"; }, o);
  pool.start();
  EXPECT_TRUE(eventually([&] { return q.get("later")->last_error == "not yet"; }));
  pool.stop();
  EXPECT_FALSE(q.claim("analysis", 60s)) << "due by the real clock, not the queue's";
  clock_.advance(2);
  EXPECT_TRUE(q.claim("analysis", 60s));
}

TEST_F(WorkerPoolTest, PermanentFailureGivesUpAtOnce) {
  JobQueue q(*store_, "jobs");
  q.enqueue("analysis", "bad", "{}");
  std::atomic<int> calls = 0;
  std::string message;
  WorkerOptions o;
  o.poll = 5ms;
  WorkerPool pool(q, "analysis", [&](const Job&) {
    ++calls;
    throw bad_request("reference.images[0]: not an image");
  }, [&](const Job&, const std::string& m) { message = m; }, o);
  pool.start();
  EXPECT_TRUE(eventually([&] { return q.size("analysis") == 0; }));
  pool.stop();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(message, "reference.images[0]: not an image");
}

TEST_F(WorkerPoolTest, WakeStartsAJobWithoutWaitingForThePoll) {
  JobQueue q(*store_, "jobs");
  std::atomic<int> calls = 0;
  WorkerOptions o;
  o.poll = 60s;
  WorkerPool pool(q, "analysis", [&](const Job&) { ++calls; }, [](const Job&, const std::string&) {}, o);
  pool.start();
  std::this_thread::sleep_for(50ms);  // the worker is now waiting out its poll
  q.enqueue("analysis", "now", "{}");
  pool.wake();
  EXPECT_TRUE(eventually([&] { return calls == 1; }, 5s));
  pool.stop();
}

}  // namespace
}  // namespace k9::jobs
