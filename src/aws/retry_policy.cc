#include "aws/retry_policy.h"

#include <algorithm>
#include <random>

namespace k9::aws {

namespace {
double thread_uniform(double hi) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, hi)(rng);
}
}  // namespace

Backoff::Backoff(RetryPolicy policy, std::function<double(double)> uniform)
    : policy_(policy), uniform_(uniform ? std::move(uniform) : thread_uniform), start_(Clock::now()) {}

std::optional<std::chrono::milliseconds> Backoff::next_delay() {
  if (attempts_ >= policy_.max_attempts) return std::nullopt;
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_);
  auto left = policy_.max_total - elapsed;
  if (left <= std::chrono::milliseconds(0)) return std::nullopt;
  double cap = static_cast<double>(policy_.base_delay.count()) * static_cast<double>(1ull << std::min(attempts_ - 1, 30));
  cap = std::min(cap, static_cast<double>(policy_.max_delay.count()));
  auto delay = std::chrono::milliseconds(static_cast<long long>(uniform_(cap)));
  if (delay >= left) return std::nullopt;  // sleeping would spend the budget: give up now
  ++attempts_;
  return delay;
}

}  // namespace k9::aws
