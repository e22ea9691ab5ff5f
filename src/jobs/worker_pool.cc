#include "jobs/worker_pool.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "store/store.h"

namespace k9::jobs {

WorkerPool::WorkerPool(JobQueue& queue, std::string queue_name, Handler handler, GiveUp give_up, WorkerOptions options)
    : queue_(queue), name_(std::move(queue_name)), handler_(std::move(handler)), give_up_(std::move(give_up)),
      options_(options) {}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::start() {
  for (unsigned i = 0; i < std::max(1u, options_.threads); ++i)
    threads_.emplace_back([this](std::stop_token st) { run(st); });
}

void WorkerPool::stop() {
  for (auto& t : threads_) t.request_stop();
  wakeup_.notify_all();
  threads_.clear();  // joins
}

void WorkerPool::wake() {
  {
    std::lock_guard lock(mutex_);
    ++wakes_;
  }
  wakeup_.notify_one();
}

std::chrono::milliseconds WorkerPool::backoff(const WorkerOptions& o, int attempt) {
  auto d = o.backoff_base;
  for (int i = 1; i < attempt && d < o.backoff_max; ++i) d *= 2;
  return std::min(d, o.backoff_max);
}

bool WorkerPool::run_one() {
  std::optional<Job> job;
  try {
    job = queue_.claim(name_, options_.lease);
  } catch (const store::Unavailable& e) {
    spdlog::warn("jobs {}: cannot claim: {}", name_, e.what());
    return false;
  }
  if (!job) return false;
  std::string failure;
  bool retry = false;
  try {
    handler_(*job);
  } catch (const Error& e) {
    failure = e.what();
    retry = e.transient() && job->attempts < options_.max_attempts;
  } catch (const std::exception& e) {
    failure = e.what();
  }
  try {
    if (failure.empty()) {
      queue_.finish(*job);
    } else if (retry) {
      static thread_local std::mt19937_64 rng{std::random_device{}()};
      auto cap = backoff(options_, job->attempts).count();
      auto wait = std::chrono::milliseconds(std::uniform_int_distribution<long long>(cap / 2, cap)(rng));
      spdlog::warn("jobs {}: {} attempt {} failed, retry in {} ms: {}", name_, job->id, job->attempts,
                   wait.count(), failure);
      queue_.retry_after(*job, wait, failure);
    } else {
      spdlog::error("jobs {}: {} failed after {} attempt(s): {}", name_, job->id, job->attempts, failure);
      give_up_(*job, failure);
      queue_.finish(*job);
    }
  } catch (const std::exception& e) {
    // Store down or lease lost: the job stays queued and is claimed again when its lease ends.
    spdlog::warn("jobs {}: {} not settled: {}", name_, job->id, e.what());
  }
  return true;
}

void WorkerPool::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    if (run_one()) continue;
    std::unique_lock lock(mutex_);
    uint64_t seen = wakes_;
    wakeup_.wait_for(lock, stop, options_.poll, [&] { return wakes_ != seen; });
  }
}

}  // namespace k9::jobs
