#include "analysis/analysis_waiter.h"

#include <condition_variable>
#include <map>
#include <mutex>

namespace k9::analysis {

// A change counter per user whose reports someone is waiting on.
struct AnalysisWaiter::Changes {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, uint64_t> counts;  // user id -> changes seen since a waiter began
  std::map<std::string, int> waiters;      // user id -> waiters (counts kept only while > 0)
};

AnalysisWaiter::AnalysisWaiter(repo::ReportRepository& reports, std::chrono::milliseconds poll)
    : reports_(reports), poll_(poll), changes_(std::make_shared<Changes>()) {
  reports_.add_change_listener([changes = changes_](const std::string& user_id) {
    {
      std::lock_guard lock(changes->mutex);
      auto it = changes->counts.find(user_id);
      if (it == changes->counts.end()) return;  // nobody waits on this user's reports
      ++it->second;
    }
    changes->changed.notify_all();
  });
}

AnalysisWaiter::~AnalysisWaiter() = default;

Report AnalysisWaiter::wait(const std::string& user_id, const std::string& report_id,
                            std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto& c = *changes_;
  {
    std::lock_guard lock(c.mutex);
    ++c.waiters[user_id];
    c.counts.try_emplace(user_id, 0);
  }
  struct Leave {
    Changes& c;
    const std::string& user;
    ~Leave() {
      std::lock_guard lock(c.mutex);
      if (--c.waiters[user] == 0) {
        c.waiters.erase(user);
        c.counts.erase(user);
      }
    }
  } leave{c, user_id};

  for (;;) {
    uint64_t seen;
    {
      std::lock_guard lock(c.mutex);
      seen = c.counts[user_id];
    }
    // Read after taking the count: a change committed after this read raises the count, so
    // the wait below cannot miss it.
    Report r = reports_.get(user_id, report_id);
    auto now = std::chrono::steady_clock::now();
    if (ended(r.analysis) || now >= deadline) return r;
    std::unique_lock lock(c.mutex);
    c.changed.wait_until(lock, std::min(deadline, now + poll_), [&] { return c.counts[user_id] != seen; });
  }
}

}  // namespace k9::analysis
