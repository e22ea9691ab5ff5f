// Who has an embedded store open. Every SqliteStore holds a shared lock (flock) on
// PATH.lock for as long as it is open, so many k9 processes may use one store at once (k9
// serve beside `k9 users add`); a restore takes the lock exclusively, without waiting, and so
// never replaces a store under a process that has it open. The kernel drops a lock when its
// process dies: a crashed server leaves nothing to clean up.
#pragma once
#include <optional>
#include <string>

namespace k9::store::sqlite {

class StoreLock {
 public:
  // Shared: blocks only while someone holds it exclusively (a restore in progress).
  // Throws store::Unavailable when the lock file cannot be opened.
  static StoreLock shared(const std::string& db_path);
  // Exclusive, or nullopt at once when any process holds it.
  static std::optional<StoreLock> try_exclusive(const std::string& db_path);

  StoreLock(StoreLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  StoreLock& operator=(StoreLock&&) = delete;
  StoreLock(const StoreLock&) = delete;
  ~StoreLock();

 private:
  explicit StoreLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace k9::store::sqlite
