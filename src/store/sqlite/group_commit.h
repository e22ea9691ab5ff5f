// Group commit: every write of the process goes through one writer thread, which gathers
// whatever writes are waiting into one SQLite transaction and commits it with one fsync
// (WAL, synchronous=FULL). Each write runs in its own savepoint, so a write that throws
// (a failed condition) is rolled back alone while the rest of the group commits.
// run() returns only after the group's COMMIT is on disk.
//
// The WAL stays bounded under steady writes: once it holds more than `restart_frames` frames,
// the writer itself runs a PASSIVE checkpoint between two groups (after the waiting callers
// were released). Being the only writer, it can complete it: the background checkpointer
// (checkpointer.h) has copied most frames already, and a completed checkpoint lets the next
// commit restart the log from its start (journal_size_limit then trims the file). A
// background checkpoint alone never completes while commits follow each other back to back,
// and a blocking (RESTART/TRUNCATE) one stalls every writer for as long as it copies.
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
  explicit GroupCommitWriter(std::unique_ptr<Connection> connection, size_t max_group = 512,
                             int restart_frames = 4096);
  // Finishes every queued write, then stops the thread.
  ~GroupCommitWriter();

  // Runs `fn` in the next group; rethrows what `fn` threw (its changes undone), or
  // Unavailable when the group's commit failed (nothing of the group is written).
  void run(std::function<void(Connection&)> fn);

  struct Stats {
    uint64_t commits = 0;
    uint64_t writes = 0;
    uint64_t wal_restarts = 0;  // checkpoints the writer completed so that the log restarts
  };
  Stats stats() const { return {commits_.load(), writes_.load(), restarts_.load()}; }

 private:
  struct Op;
  void loop();
  void commit_group(std::deque<Op*>& group);
  void keep_wal_bounded();
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int frames);

  std::unique_ptr<Connection> conn_;
  size_t max_group_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Op*> queue_;
  bool stopping_ = false;
  int restart_frames_;
  int wal_frames_ = 0;  // frames in the WAL after the last commit (writer thread only)
  std::atomic<uint64_t> commits_{0}, writes_{0}, restarts_{0};
  std::thread thread_;
};

}  // namespace k9::store::sqlite
