// Group commit: every write of the process goes through one writer thread, which gathers
// whatever writes are waiting into one SQLite transaction and commits it with one fsync
// (WAL, synchronous=FULL). Each write runs in its own savepoint, so a write that throws
// (a failed condition) is rolled back alone while the rest of the group commits.
// run() returns only after the group's COMMIT is on disk.
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "store/sqlite/connection.h"

namespace k9::store::sqlite {

class GroupCommitWriter {
 public:
  explicit GroupCommitWriter(std::unique_ptr<Connection> connection, size_t max_group = 512);
  // Finishes every queued write, then stops the thread.
  ~GroupCommitWriter();

  // Runs `fn` in the next group; rethrows what `fn` threw (its changes undone), or
  // Unavailable when the group's commit failed (nothing of the group is written).
  void run(std::function<void(Connection&)> fn);

  struct Stats {
    uint64_t commits = 0;
    uint64_t writes = 0;
  };
  Stats stats() const { return {commits_.load(), writes_.load()}; }

 private:
  struct Op;
  void loop();
  void commit_group(std::deque<Op*>& group);

  std::unique_ptr<Connection> conn_;
  size_t max_group_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Op*> queue_;
  bool stopping_ = false;
  std::atomic<uint64_t> commits_{0}, writes_{0};
  std::thread thread_;
};

}  // namespace k9::store::sqlite
