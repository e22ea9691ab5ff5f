#include "identity/cognito/jwks_cache.h"

#include "core/error.h"
#include "identity/cognito/http_call.h"

namespace k9::identity::cognito {

JwksCache::JwksCache(std::string url, Fetch fetch, const Clock& clock, std::chrono::seconds min_refetch,
                     std::chrono::seconds min_retry)
    : url_(std::move(url)), fetch_(std::move(fetch)), clock_(clock), min_refetch_(min_refetch), min_retry_(min_retry) {}

std::string JwksCache::http_fetch(const std::string& url) {
  static aws::HttpClient client = [] {
    aws::HttpClientOptions options;
    options.connect_timeout = options.total_timeout = std::chrono::seconds(5);
    return aws::HttpClient(options);
  }();
  HttpCall call;
  call.url = url;
  call.headers = {{"Accept", "application/json"}};
  HttpReply reply = http_call(client, call);
  if (reply.status != 200)
    throw Error(ErrorCode::unavailable, "token key set " + url + " answered HTTP " + std::to_string(reply.status), 5);
  return reply.body;
}

PublicKey JwksCache::lookup(std::string_view kid) const {
  std::shared_lock lock(keys_mutex_);
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : it->second;
}

PublicKey JwksCache::find(std::string_view kid) {
  if (PublicKey key = lookup(kid)) return key;
  std::lock_guard fetch_lock(fetch_mutex_);
  if (PublicKey key = lookup(kid)) return key;  // fetched by another thread meanwhile
  bool loaded;
  {
    std::shared_lock lock(keys_mutex_);
    loaded = loaded_;
  }
  const int64_t now = unix_seconds(clock_.now());
  const int64_t wait = (loaded ? min_refetch_ : min_retry_).count();
  if (attempts_ > 0 && now - last_attempt_ < wait) {
    if (loaded) return nullptr;
    throw Error(ErrorCode::unavailable, "the token signing keys cannot be read now", 5);
  }
  last_attempt_ = now;
  ++attempts_;
  try {
    KeySet fresh = parse_jwks(fetch_(url_));
    std::unique_lock lock(keys_mutex_);
    keys_ = std::move(fresh);
    loaded_ = true;
  } catch (const Error& e) {
    if (loaded) return nullptr;
    throw Error(ErrorCode::unavailable, std::string("the token signing keys cannot be read now: ") + e.what(), 5);
  }
  return lookup(kid);
}

size_t JwksCache::fetch_count() const {
  std::lock_guard lock(fetch_mutex_);
  return attempts_;
}

}  // namespace k9::identity::cognito
