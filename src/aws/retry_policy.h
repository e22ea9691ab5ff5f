// Retrying calls to AWS: exponential backoff with full jitter, bounded in attempts and in
// total time.
//
// Contract: a Backoff is made per logical call. next_delay() returns how long to sleep
// before the next attempt, or nullopt when the budget (max_attempts in all, or
// max_total time since the Backoff was made) is spent. The delay of retry n (1-based) is
// uniform in [0, min(max_delay, base_delay * 2^(n-1))] ("full jitter"), and never past the
// total budget. Which errors are retryable is the caller's decision.
#pragma once
#include <chrono>
#include <functional>
#include <optional>

namespace k9::aws {

struct RetryPolicy {
  int max_attempts = 8;                          // first try included
  std::chrono::milliseconds base_delay{25};
  std::chrono::milliseconds max_delay{2000};
  std::chrono::milliseconds max_total{15000};    // from the first attempt
};

class Backoff {
 public:
  using Clock = std::chrono::steady_clock;
  // `uniform(hi)` returns a value in [0, hi]; defaults to a thread-local PRNG.
  explicit Backoff(RetryPolicy policy, std::function<double(double)> uniform = nullptr);

  std::optional<std::chrono::milliseconds> next_delay();
  int attempts() const { return attempts_; }  // attempts made so far (1 after the first)

 private:
  RetryPolicy policy_;
  std::function<double(double)> uniform_;
  Clock::time_point start_;
  int attempts_ = 1;
};

}  // namespace k9::aws
