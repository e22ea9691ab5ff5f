// Bounded caches of parsed expressions, shared by all threads.
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/expr/expression.h"

namespace k9::store::expr {

namespace {

// When full the cache is simply cleared: cheap, and a working set this large is unusual.
constexpr size_t kMaxEntries = 4096;

template <class T>
class ParseCache {
 public:
  std::shared_ptr<const T> get(std::string_view text) {
    std::string key(text);
    {
      std::lock_guard lock(mutex_);
      auto it = entries_.find(key);
      if (it != entries_.end()) return it->second;
    }
    std::shared_ptr<const T> parsed = T::parse(text);  // outside the lock; may throw
    std::lock_guard lock(mutex_);
    if (entries_.size() >= kMaxEntries) entries_.clear();
    return entries_.emplace(std::move(key), std::move(parsed)).first->second;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const T>> entries_;
};

}  // namespace

std::shared_ptr<const Condition> cached_condition(std::string_view text) {
  static ParseCache<Condition> cache;
  return cache.get(text);
}

std::shared_ptr<const Update> cached_update(std::string_view text) {
  static ParseCache<Update> cache;
  return cache.get(text);
}

}  // namespace k9::store::expr
