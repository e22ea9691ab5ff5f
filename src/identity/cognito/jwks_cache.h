// JwksCache: the user pool's signing keys, fetched from `{issuer}/.well-known/jwks.json`
// once and kept.
//
// Contract:
//  - find(kid) fetches the key set on first use. A kid it does not know triggers a refetch
//    only when the last fetch is at least `min_refetch` (default 60 s) old, so a flood of
//    tokens with made-up kids costs at most one fetch a minute; between refetches an unknown
//    kid answers nullptr at once.
//  - A failed fetch (transport error, non-200, malformed JWKS) keeps the keys it had. With no
//    keys at all it throws k9::Error(unavailable, ..., retry_after 5) and the next attempt
//    waits `min_retry` (default 5 s) — the caller answers 503, not 401, while the pool's keys
//    cannot be read. With keys, an unknown kid after a failed refetch is just unknown.
//  - One fetch at a time (others wait for it and then look again). Thread-safe.
#pragma once
#include <chrono>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "core/clock.h"
#include "identity/cognito/jwks.h"

namespace k9::identity::cognito {

class JwksCache {
 public:
  // Answers the body of a successful GET of `url`; throws k9::Error otherwise.
  using Fetch = std::function<std::string(const std::string& url)>;

  explicit JwksCache(std::string url, Fetch fetch = http_fetch, const Clock& clock = Clock::system(),
                     std::chrono::seconds min_refetch = std::chrono::seconds(60),
                     std::chrono::seconds min_retry = std::chrono::seconds(5));

  PublicKey find(std::string_view kid);
  size_t fetch_count() const;  // attempts so far
  const std::string& url() const { return url_; }

  // GET over http_call.h with a 5 s timeout: the default Fetch.
  static std::string http_fetch(const std::string& url);

 private:
  PublicKey lookup(std::string_view kid) const;  // current keys only

  std::string url_;
  Fetch fetch_;
  const Clock& clock_;
  std::chrono::seconds min_refetch_, min_retry_;
  mutable std::shared_mutex keys_mutex_;
  KeySet keys_;
  bool loaded_ = false;           // keys_mutex_
  mutable std::mutex fetch_mutex_;  // one fetch at a time; guards the fields below
  int64_t last_attempt_ = 0;      // unix seconds
  size_t attempts_ = 0;
};

}  // namespace k9::identity::cognito
