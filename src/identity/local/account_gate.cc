#include "identity/local/account_gate.h"

#include <mutex>

#include "core/error.h"
#include "identity/local/credential_repository.h"

namespace k9::identity::local {

namespace {

int64_t millis(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

AccountGate::AccountGate(CredentialRepository& credentials, AccountGateOptions options, const Clock& clock)
    : credentials_(credentials), options_(options), clock_(clock) {
  if (options_.capacity == 0) options_.capacity = 1;
}

void AccountGate::check(const Principal& p) {
  const int64_t now = millis(clock_.now());
  const int64_t ttl = std::chrono::duration_cast<std::chrono::milliseconds>(options_.ttl).count();
  // A clock that went backwards makes an entry stale too, never fresh for longer.
  auto fresh = [&](const Entry& e) { return now >= e.read_at_ms && now - e.read_at_ms < ttl; };
  {
    std::shared_lock lock(mutex_);
    auto it = entries_.find(p.username);
    if (it != entries_.end() && fresh(it->second)) {
      if (it->second.sub == p.sub) return;
      // Refused, unless the token is not older than the read: its user was (re)added since.
      if (p.issued_at < it->second.read_at_ms / 1000) throw unauthorized(kDeletedUser);
    }
  }
  auto credential = credentials_.find(p.username);  // outside the lock: a store read
  Entry entry{credential ? credential->sub : std::string(), now};
  {
    std::unique_lock lock(mutex_);
    if (entries_.size() >= options_.capacity && !entries_.contains(p.username)) {
      std::erase_if(entries_, [&](const auto& kv) { return !fresh(kv.second); });
      if (entries_.size() >= options_.capacity) entries_.clear();
    }
    entries_.insert_or_assign(p.username, entry);
  }
  if (entry.sub != p.sub) throw unauthorized(kDeletedUser);
}

void AccountGate::forget(const std::string& username) {
  std::unique_lock lock(mutex_);
  entries_.erase(username);
}

bool AccountGate::may_block() const { return !credentials_.reads_are_local(); }

}  // namespace k9::identity::local
