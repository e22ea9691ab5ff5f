#include "store/sqlite/group_commit.h"

#include <sqlite3.h>

#include <future>

#include "store/store.h"

namespace k9::store::sqlite {

struct GroupCommitWriter::Op {
  std::function<void(Connection&)> fn;
  std::exception_ptr error;
  std::promise<void> done;
};

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<Connection> connection, size_t max_group, int restart_frames)
    : conn_(std::move(connection)), max_group_(max_group), restart_frames_(restart_frames) {
  sqlite3_wal_hook(conn_->raw(), &GroupCommitWriter::on_wal_commit, this);  // also keeps auto-checkpoints off
  thread_ = std::thread([this] { loop(); });
}

int GroupCommitWriter::on_wal_commit(void* self, sqlite3*, const char*, int frames) {
  static_cast<GroupCommitWriter*>(self)->wal_frames_ = frames;
  return SQLITE_OK;
}

void GroupCommitWriter::keep_wal_bounded() {
  if (wal_frames_ < restart_frames_) return;
  int log = 0, done = 0;
  // PASSIVE: never waits. BUSY (the background checkpointer is running) or readers of old
  // frames leave it incomplete: the next group tries again.
  if (sqlite3_wal_checkpoint_v2(conn_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done) == SQLITE_OK &&
      done == log) {
    restarts_.fetch_add(1, std::memory_order_relaxed);
    wal_frames_ = 0;
  }
}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void GroupCommitWriter::run(std::function<void(Connection&)> fn) {
  Op op;
  op.fn = std::move(fn);
  auto future = op.done.get_future();
  {
    std::lock_guard lock(mu_);
    if (stopping_) throw Unavailable("store is closing");
    queue_.push_back(&op);
  }
  cv_.notify_one();
  future.get();
  if (op.error) std::rethrow_exception(op.error);
}

void GroupCommitWriter::loop() {
  std::deque<Op*> group;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && group.size() < max_group_) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    commit_group(group);
    group.clear();
    keep_wal_bounded();
  }
}

void GroupCommitWriter::commit_group(std::deque<Op*>& group) {
  std::exception_ptr group_error;
  try {
    conn_->run("BEGIN IMMEDIATE");
    for (Op* op : group) {
      conn_->run("SAVEPOINT w");
      try {
        op->fn(*conn_);
        conn_->run("RELEASE w");
      } catch (...) {
        op->error = std::current_exception();
        conn_->run("ROLLBACK TO w");
        conn_->run("RELEASE w");
      }
    }
    conn_->run("COMMIT");
    commits_.fetch_add(1, std::memory_order_relaxed);
    writes_.fetch_add(group.size(), std::memory_order_relaxed);
  } catch (...) {
    group_error = std::current_exception();
    if (!sqlite3_get_autocommit(conn_->raw())) {
      try {
        conn_->exec("ROLLBACK");
      } catch (...) {
      }
    }
  }
  for (Op* op : group) {
    if (group_error) op->error = group_error;
    op->done.set_value();
  }
}

}  // namespace k9::store::sqlite
