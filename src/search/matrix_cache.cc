#include "search/matrix_cache.h"

#include <stdexcept>

namespace k9::search {

struct MatrixCache::Load {
  std::condition_variable done_cv;
  bool done = false;
  bool erased = false;  // erase(key) while loading: the result is not kept
  Matrix result;
  std::exception_ptr error;
};

MatrixCache::MatrixCache(size_t budget_bytes) : budget_(budget_bytes) {}

MatrixCache::Matrix MatrixCache::find(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->matrix;
}

MatrixCache::Matrix MatrixCache::get_or_load(const std::string& key, const Loader& loader) {
  std::shared_ptr<Load> load;
  {
    std::unique_lock lock(mu_);
    if (auto it = entries_.find(key); it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->matrix;
    }
    if (auto it = loading_.find(key); it != loading_.end()) {
      auto waiting = it->second;  // keeps the Load alive past its removal from loading_
      waiting->done_cv.wait(lock, [&] { return waiting->done; });
      if (waiting->error) std::rethrow_exception(waiting->error);
      return waiting->result;
    }
    load = std::make_shared<Load>();
    loading_.emplace(key, load);
  }

  Matrix result;
  std::exception_ptr error;
  try {
    result = loader();
    if (!result) throw std::logic_error("search: matrix loader returned nothing for " + key);
  } catch (...) {
    error = std::current_exception();
  }

  {
    std::lock_guard lock(mu_);
    loading_.erase(key);
    if (!error && !load->erased) insert_locked(key, result);
    load->result = result;
    load->error = error;
    load->done = true;
  }
  load->done_cv.notify_all();
  if (error) std::rethrow_exception(error);
  return result;
}

void MatrixCache::insert_locked(const std::string& key, const Matrix& m) {
  const size_t size = m->bytes();
  if (size > budget_) return;  // returned to its callers, never kept
  if (auto it = entries_.find(key); it != entries_.end()) {  // cannot happen while loads are single; be safe
    bytes_ -= it->second->bytes;
    lru_.erase(it->second);
    entries_.erase(it);
  }
  evict_until_fits_locked(size);
  lru_.push_front({key, m, size});
  entries_.emplace(key, lru_.begin());
  bytes_ += size;
}

void MatrixCache::evict_until_fits_locked(size_t incoming) {
  while (!lru_.empty() && bytes_ + incoming > budget_) {
    auto& victim = lru_.back();
    bytes_ -= victim.bytes;
    entries_.erase(victim.key);
    lru_.pop_back();
  }
}

void MatrixCache::erase(const std::string& key) {
  std::lock_guard lock(mu_);
  if (auto it = loading_.find(key); it != loading_.end()) it->second->erased = true;
  if (auto it = entries_.find(key); it != entries_.end()) {
    bytes_ -= it->second->bytes;
    lru_.erase(it->second);
    entries_.erase(it);
  }
}

void MatrixCache::clear() {
  std::lock_guard lock(mu_);
  for (auto& [key, load] : loading_) load->erased = true;
  entries_.clear();
  lru_.clear();
  bytes_ = 0;
}

size_t MatrixCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

size_t MatrixCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace k9::search
