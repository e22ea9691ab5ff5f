#include "store/sqlite/checkpointer.h"

#include <sqlite3.h>

#include "store/sqlite/connection.h"

namespace k9::store::sqlite {


Checkpointer::Checkpointer(const std::string& path, std::chrono::milliseconds interval)
    : interval_(interval), thread_([this, path] { loop(path); }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

uint64_t Checkpointer::frames_checkpointed() const {
  std::lock_guard lock(mu_);
  return frames_;
}

void Checkpointer::loop(std::string path) {
  std::unique_ptr<Connection> conn;
  try {
    conn = std::make_unique<Connection>(path);
  } catch (const std::exception&) {
    return;  // the store itself reports an unusable file
  }
  for (;;) {
    bool stop;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, interval_, [&] { return stopping_; });
      stop = stopping_;
    }
    int log_frames = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(conn->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &done);
    if (rc == SQLITE_OK && stop && log_frames > 0 && done == log_frames) {
      // The store is closing (the writer has stopped): empty the log file too.
      rc = sqlite3_wal_checkpoint_v2(conn->raw(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &done);
    }
    if (rc == SQLITE_OK && done > 0) {
      std::lock_guard lock(mu_);
      frames_ += static_cast<uint64_t>(done);
    }
    if (stop) return;
  }
}

}  // namespace k9::store::sqlite
