#include "api/readiness.h"

#include <exception>

namespace k9::api {

Readiness::Readiness(std::vector<Check> checks, std::chrono::milliseconds bound, std::chrono::milliseconds fresh)
    : checks_(std::move(checks)), bound_(bound), fresh_(fresh), prober_([this](std::stop_token s) { run(s); }) {}

void Readiness::run(std::stop_token stop) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!cv_.wait(lock, stop, [&] { return wanted_; })) return;  // stopped
    wanted_ = false;
    Result result{true, {}};
    for (size_t i = 0; i < checks_.size(); ++i) {
      current_ = i;
      lock.unlock();
      std::string status;
      try {
        status = checks_[i].ok() ? "ok" : "not answering";
      } catch (const std::exception& e) {
        status = std::string("not usable: ") + e.what();
      } catch (...) {
        status = "not usable";
      }
      lock.lock();
      result.ready = result.ready && status == "ok";
      result.checks.emplace_back(checks_[i].name, std::move(status));
      if (stop.stop_requested()) return;
    }
    last_ = std::move(result);
    last_at_ = Clock::now();
    ++runs_done_;
    cv_.notify_all();
  }
}

Readiness::Result Readiness::probe() {
  std::unique_lock lock(mu_);
  auto now = Clock::now();
  if (runs_done_ > 0 && now - last_at_ < fresh_) return last_;
  uint64_t seen = runs_done_;
  wanted_ = true;  // a run in progress still counts: the next one starts after it
  cv_.notify_all();
  if (cv_.wait_until(lock, now + bound_, [&] { return runs_done_ > seen; })) return last_;
  Result timed_out;  // names the check the run is stuck on
  timed_out.checks.emplace_back(checks_.empty() ? "checks" : checks_[current_].name,
                                "did not answer within " + std::to_string(bound_.count()) + " ms");
  return timed_out;
}

}  // namespace k9::api
