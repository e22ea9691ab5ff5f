#include "api/list_cache.h"

namespace k9::api {

ListCache::Token ListCache::token(const std::string& user) const {
  std::shared_lock lock(mu_);
  auto it = users_.find(user);
  return {epoch_, it == users_.end() ? 0 : it->second.generation};
}

std::shared_ptr<const std::string> ListCache::find(const std::string& user, int limit, const std::string& cursor) const {
  std::shared_lock lock(mu_);
  auto it = users_.find(user);
  if (it == users_.end()) return nullptr;
  for (auto& e : it->second.pages)
    if (e.limit == limit && e.cursor == cursor) return e.page;
  return nullptr;
}

void ListCache::store(const std::string& user, Token seen, int limit, const std::string& cursor,
                            std::string page) {
  std::unique_lock lock(mu_);
  if (seen.epoch != epoch_) return;
  auto it = users_.find(user);
  uint64_t current = it == users_.end() ? 0 : it->second.generation;
  if (current != seen.generation) return;  // invalidated while the page was read
  if (it == users_.end()) {
    if (users_.size() >= max_users_) {
      users_.clear();  // a new epoch: tokens taken before this can store nothing
      ++epoch_;
      return;
    }
    it = users_.emplace(user, User{}).first;
  }
  auto& pages = it->second.pages;
  if (pages.size() >= pages_per_user_) pages.erase(pages.begin());
  pages.push_back({limit, cursor, std::make_shared<const std::string>(std::move(page))});
}

void ListCache::invalidate(const std::string& user) {
  std::unique_lock lock(mu_);
  auto& u = users_[user];  // kept (without pages) so that earlier tokens no longer match
  u.generation = next_generation_++;
  u.pages.clear();
  if (users_.size() > max_users_) {
    users_.clear();
    ++epoch_;
  }
}

}  // namespace k9::api
