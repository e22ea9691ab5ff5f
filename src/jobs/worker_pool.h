// Runs the jobs of one queue (jobs/job_queue.h) on worker threads.
//
// Contract:
//  - Each worker claims a due job, runs the handler, and finishes the job when the handler
//    returns. A handler that throws a transient k9::Error (RetryLater, or the store or the
//    blob store unavailable: Error::transient()) has its job retried after an exponential backoff with jitter (a
//    random wait between half and all of backoff_base * 2^(attempt-1), capped at
//    backoff_max); any other exception is a permanent
//    failure. A permanent failure, or a transient one on the max_attempts-th attempt, calls
//    give_up(job, message) and then finishes the job: nothing is retried forever.
//  - Workers poll the queue every `poll` when idle; wake() (after an enqueue in this process)
//    makes one look at once.
//  - stop() lets running handlers finish, then joins; a job claimed but not finished by then
//    (stop during a store outage) is claimed again when its lease ends.
//  - Handlers run concurrently on up to `threads` threads; they must be thread-safe.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "jobs/job_queue.h"

namespace k9::jobs {

// A transient failure the handler wants retried (k9::Error, code unavailable). Any other
// transient k9::Error (Error::transient(): unavailable, too_many_requests) is retried too;
// every other exception fails the job for good.
class RetryLater : public Error {
 public:
  explicit RetryLater(const std::string& reason) : Error(ErrorCode::unavailable, reason) {}
};

struct WorkerOptions {
  unsigned threads = 1;
  // A job whose worker died (a killed process, a frozen Lambda) is claimed again after this.
  std::chrono::milliseconds lease{std::chrono::minutes(1)};
  int max_attempts = 5;
  std::chrono::milliseconds backoff_base{2000};
  std::chrono::milliseconds backoff_max{std::chrono::minutes(2)};
  std::chrono::milliseconds poll{1000};
};

class WorkerPool {
 public:
  using Handler = std::function<void(const Job&)>;
  using GiveUp = std::function<void(const Job&, const std::string& message)>;

  WorkerPool(JobQueue& queue, std::string queue_name, Handler handler, GiveUp give_up, WorkerOptions options = {});
  ~WorkerPool();
  void start();
  void stop();
  void wake();

  // The backoff before attempt `attempt + 1`, before jitter (tests and docs).
  static std::chrono::milliseconds backoff(const WorkerOptions& o, int attempt);

  // Claims one due job and runs it on the calling thread, settling it as a worker would; false
  // when nothing was due (or the store could not be asked). Lambda mode runs jobs this way,
  // with no worker threads.
  bool run_one();

 private:
  void run(std::stop_token stop);

  JobQueue& queue_;
  std::string name_;
  Handler handler_;
  GiveUp give_up_;
  WorkerOptions options_;
  std::mutex mutex_;
  std::condition_variable_any wakeup_;
  uint64_t wakes_ = 0;
  std::vector<std::jthread> threads_;
};

}  // namespace k9::jobs
