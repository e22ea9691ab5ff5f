// LoginThrottle: limits failed sign-ins per username and per client address, in memory.
//
// Contract:
//  - check() throws k9::Error(too_many_requests, kTooManyAttempts, retry_after) when the
//    username has `per_user` failures, or the address `per_address` failures, within the last
//    `window`; retry_after is the whole seconds until the oldest of them leaves the window
//    (at least 1). An empty address is not throttled by address.
//  - record_failure() counts one failure for both; record_success() forgets the username's
//    failures (not the address's: one address may be guessing many names).
//  - Unknown and existing usernames are counted alike, so the throttle tells nothing about
//    which users exist.
//  - State lives in this process only: a restart forgets it, and several processes (Lambda)
//    each count their own (Cognito throttles for itself in AWS mode). At most `max_keys`
//    usernames and addresses are tracked; beyond it the stalest are dropped.
//  - check() and record_failure() are separate calls, so a burst of concurrent attempts may
//    pass the limit by the number of attempts in flight. Thread-safe.
#pragma once
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace k9::identity::local {

inline constexpr const char* kTooManyAttempts = "Too many failed sign-in attempts; try again later.";

struct ThrottleLimits {
  int per_user = 5;
  int per_address = 20;
  std::chrono::seconds window{15 * 60};
  size_t max_keys = 100'000;
};

class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottleLimits limits = {}, const Clock& clock = Clock::system());

  void check(const std::string& username, const std::string& address);
  void record_failure(const std::string& username, const std::string& address);
  void record_success(const std::string& username);

  const ThrottleLimits& limits() const { return limits_; }

 private:
  using Failures = std::deque<int64_t>;  // unix seconds, oldest first
  // Seconds until `failures` drops below `limit`, or 0 when it is below already.
  int64_t wait_for(Failures& failures, int limit, int64_t now) const;
  void add(std::unordered_map<std::string, Failures>& map, const std::string& key, int limit, int64_t now);

  ThrottleLimits limits_;
  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Failures> users_;
  std::unordered_map<std::string, Failures> addresses_;
};

}  // namespace k9::identity::local
