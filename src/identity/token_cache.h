// TokenCache: remembers tokens a verifier has already checked, so the hot path costs one
// SHA-256 and a shared-lock lookup instead of an RSA verification.
//
// Contract:
//  - Keys are the SHA-256 of the token; raw tokens are never kept.
//  - find() answers a Principal only while clock.now() < its expires_at; an entry never
//    outlives its token's exp.
//  - At most `capacity` entries (spread over shards); inserting into a full shard first drops
//    expired entries, then the oldest inserted.
//  - Thread-safe; readers take a shared lock on one shard only.
//  - Only put tokens that passed every check of the verifier that owns the cache.
#pragma once
#include <array>
#include <cstddef>
#include <list>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "identity/identity.h"

namespace k9::identity {

class TokenCache {
 public:
  static constexpr size_t kDefaultCapacity = 10'000;

  explicit TokenCache(size_t capacity = kDefaultCapacity, const Clock& clock = Clock::system());
  TokenCache(const TokenCache&) = delete;
  TokenCache& operator=(const TokenCache&) = delete;

  std::optional<Principal> find(std::string_view token) const;
  // Does nothing when the principal has already expired.
  void insert(std::string_view token, const Principal& principal);
  void clear();
  size_t size() const;
  size_t capacity() const { return shard_capacity_ * kShards; }

 private:
  static constexpr size_t kShards = 16;
  struct Entry {
    Principal principal;
    std::list<std::string>::iterator order;  // position in Shard::order
  };
  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, Entry> entries;  // key: SHA-256 of the token
    std::list<std::string> order;                    // keys, oldest first
  };

  static std::string key_of(std::string_view token);
  Shard& shard_for(const std::string& key) const;
  void evict(Shard& shard, int64_t now);  // shard's lock held exclusively

  size_t shard_capacity_;
  const Clock& clock_;
  std::unique_ptr<std::array<Shard, kShards>> shards_;
};

}  // namespace k9::identity
