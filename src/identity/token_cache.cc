#include "identity/token_cache.h"

#include <sodium.h>

#include <mutex>

namespace k9::identity {

TokenCache::TokenCache(size_t capacity, const Clock& clock)
    : shard_capacity_(capacity / kShards > 0 ? capacity / kShards : 1),
      clock_(clock),
      shards_(std::make_unique<std::array<Shard, kShards>>()) {}

std::string TokenCache::key_of(std::string_view token) {
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                     reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return digest;
}

TokenCache::Shard& TokenCache::shard_for(const std::string& key) const {
  return (*shards_)[static_cast<unsigned char>(key[0]) % kShards];
}

std::optional<Principal> TokenCache::find(std::string_view token) const {
  const std::string key = key_of(token);
  const Shard& shard = shard_for(key);
  std::shared_lock lock(shard.mutex);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end()) return std::nullopt;
  // Expired entries stay until the next insert into this shard, but are never answered.
  if (unix_seconds(clock_.now()) >= it->second.principal.expires_at) return std::nullopt;
  return it->second.principal;
}

void TokenCache::insert(std::string_view token, const Principal& principal) {
  const int64_t now = unix_seconds(clock_.now());
  if (now >= principal.expires_at) return;
  std::string key = key_of(token);
  Shard& shard = shard_for(key);
  std::unique_lock lock(shard.mutex);
  if (auto it = shard.entries.find(key); it != shard.entries.end()) {
    it->second.principal = principal;
    return;
  }
  if (shard.entries.size() >= shard_capacity_) evict(shard, now);
  shard.order.push_back(key);
  shard.entries.emplace(std::move(key), Entry{principal, std::prev(shard.order.end())});
}

void TokenCache::evict(Shard& shard, int64_t now) {
  for (auto it = shard.order.begin(); it != shard.order.end();) {
    auto entry = shard.entries.find(*it);
    if (now >= entry->second.principal.expires_at) {
      shard.entries.erase(entry);
      it = shard.order.erase(it);
    } else {
      ++it;
    }
  }
  while (shard.entries.size() >= shard_capacity_ && !shard.order.empty()) {
    shard.entries.erase(shard.order.front());
    shard.order.pop_front();
  }
}

void TokenCache::clear() {
  for (Shard& shard : *shards_) {
    std::unique_lock lock(shard.mutex);
    shard.entries.clear();
    shard.order.clear();
  }
}

size_t TokenCache::size() const {
  size_t n = 0;
  for (const Shard& shard : *shards_) {
    std::shared_lock lock(shard.mutex);
    n += shard.entries.size();
  }
  return n;
}

}  // namespace k9::identity
