// AccountGate: refuses the still-unexpired tokens of a deleted local user (`k9 users delete`)
// without a store read per request.
//
// A local token is verified offline (signature, exp, iss, token_use), so it would keep working
// after its user is gone. The gate remembers, per username, the sub its credential had when
// last read, for `ttl`; check() answers from that memory and reads the credential again only
// once the entry is older than `ttl` (one store read per active user per ttl, not per request).
//
// Contract:
//  - check(p) throws k9::Error(unauthorized, kDeletedUser) when p.username has no credential,
//    or one with another sub (deleted, then added again: the new user is someone else); it
//    returns otherwise. A deletion made by any process is therefore seen within `ttl`. A
//    remembered "gone" (or other sub) is read again for a token issued in the second of that
//    read or later (p.issued_at): a user added again is not refused for `ttl`, while the
//    tokens of the deleted one, all older, cost no reads.
//  - forget(username) drops the memory of one user: the next check reads the store (a deletion
//    made by this process is seen at once).
//  - At most `capacity` remembered users; a full gate first drops entries older than `ttl`,
//    then everything (the next checks read again).
//  - Store unavailability surfaces as k9::Error(unavailable) (the credential repository's).
//  - Thread-safe; readers take a shared lock.
#pragma once
#include <chrono>
#include <cstddef>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "identity/identity.h"

namespace k9::identity::local {

class CredentialRepository;

inline constexpr const char* kDeletedUser = "user no longer exists";

struct AccountGateOptions {
  std::chrono::seconds ttl{5};
  size_t capacity = 10'000;
};

class AccountGate {
 public:
  explicit AccountGate(CredentialRepository& credentials, AccountGateOptions options = {},
                       const Clock& clock = Clock::system());
  AccountGate(const AccountGate&) = delete;
  AccountGate& operator=(const AccountGate&) = delete;

  void check(const Principal& p);
  void forget(const std::string& username);
  // True when check() may read a remote store.
  bool may_block() const;
  const AccountGateOptions& options() const { return options_; }

 private:
  struct Entry {
    std::string sub;    // empty: no such user
    int64_t read_at_ms;  // clock time of the store read
  };

  CredentialRepository& credentials_;
  AccountGateOptions options_;
  const Clock& clock_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // key: username
};

}  // namespace k9::identity::local
