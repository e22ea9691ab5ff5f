// A cache of rendered report-list pages (response bodies), per user, for a store that this
// process alone writes (the embedded SQLite store): lists are read far more often than
// reports change.
//
// Contract: a page is served from the cache only if no invalidate(user) happened between
// the token() taken before reading the store and the lookup. invalidate(user) is called
// after every committed change to that user's reports (ReportRepository's change
// listener). With several processes writing one store (DynamoDB), do not use it.
// Bounded: at most `max_users` users and `pages_per_user` pages each; when full it is
// cleared (a new epoch), which never serves a stale page. Thread-safe.
#pragma once
#include <cstdint>
#include <mutex>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>


namespace k9::api {

class ListCache {
 public:
  struct Token {
    uint64_t epoch = 0, generation = 0;
    friend bool operator==(const Token&, const Token&) = default;
  };

  explicit ListCache(size_t max_users = 4096, size_t pages_per_user = 8)
      : max_users_(max_users), pages_per_user_(pages_per_user) {}

  Token token(const std::string& user) const;
  std::shared_ptr<const std::string> find(const std::string& user, int limit, const std::string& cursor) const;
  // Keeps `page` unless the user was invalidated since `seen` was taken.
  void store(const std::string& user, Token seen, int limit, const std::string& cursor, std::string page);
  void invalidate(const std::string& user);

 private:
  struct Entry {
    int limit;
    std::string cursor;
    std::shared_ptr<const std::string> page;
  };
  struct User {
    uint64_t generation = 0;
    std::vector<Entry> pages;
  };

  size_t max_users_, pages_per_user_;
  mutable std::shared_mutex mu_;
  uint64_t epoch_ = 0;
  uint64_t next_generation_ = 1;
  std::unordered_map<std::string, User> users_;
};

}  // namespace k9::api
