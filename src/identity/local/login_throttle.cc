#include "identity/local/login_throttle.h"

#include <algorithm>

#include "core/error.h"

namespace k9::identity::local {

LoginThrottle::LoginThrottle(ThrottleLimits limits, const Clock& clock) : limits_(limits), clock_(clock) {}

int64_t LoginThrottle::wait_for(Failures& failures, int limit, int64_t now) const {
  const int64_t window = limits_.window.count();
  while (!failures.empty() && failures.front() + window <= now) failures.pop_front();
  if (static_cast<int>(failures.size()) < limit) return 0;
  // The failure whose leaving brings the count below the limit.
  int64_t leaves_at = failures[failures.size() - static_cast<size_t>(limit)] + window;
  return std::max<int64_t>(1, leaves_at - now);
}

void LoginThrottle::check(const std::string& username, const std::string& address) {
  const int64_t now = unix_seconds(clock_.now());
  std::lock_guard lock(mutex_);
  int64_t wait = 0;
  if (auto it = users_.find(username); it != users_.end()) wait = wait_for(it->second, limits_.per_user, now);
  if (!address.empty())
    if (auto it = addresses_.find(address); it != addresses_.end())
      wait = std::max(wait, wait_for(it->second, limits_.per_address, now));
  if (wait > 0) throw Error(ErrorCode::too_many_requests, kTooManyAttempts, static_cast<int>(wait));
}

void LoginThrottle::add(std::unordered_map<std::string, Failures>& map, const std::string& key, int limit,
                        int64_t now) {
  if (map.size() >= limits_.max_keys && !map.contains(key)) {
    // Drop every key whose failures have all left the window; if none, the stalest one.
    const int64_t window = limits_.window.count();
    std::erase_if(map, [&](const auto& kv) { return kv.second.empty() || kv.second.back() + window <= now; });
    if (map.size() >= limits_.max_keys)
      map.erase(std::min_element(map.begin(), map.end(),
                                 [](const auto& a, const auto& b) { return a.second.back() < b.second.back(); }));
  }
  Failures& f = map[key];
  f.push_back(now);
  while (f.size() > static_cast<size_t>(limit)) f.pop_front();  // only the newest `limit` matter
}

void LoginThrottle::record_failure(const std::string& username, const std::string& address) {
  const int64_t now = unix_seconds(clock_.now());
  std::lock_guard lock(mutex_);
  add(users_, username, limits_.per_user, now);
  if (!address.empty()) add(addresses_, address, limits_.per_address, now);
}

void LoginThrottle::record_success(const std::string& username) {
  std::lock_guard lock(mutex_);
  users_.erase(username);
}

}  // namespace k9::identity::local
