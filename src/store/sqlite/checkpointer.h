// Background WAL checkpoints. The writer connection has automatic checkpoints turned off
// (wal_autocheckpoint=0) so that no commit pays for copying the WAL into the database and
// its fsync; this thread does it instead, on its own connection, with PASSIVE checkpoints
// (never blocking the writer or readers) every `interval`, and once more when it stops.
// It copies the bulk of the frames off the writer's path; the writer (group_commit.h) completes
// a checkpoint itself past 16 MiB of WAL so that the log restarts. Nothing here blocks.
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace k9::store::sqlite {

class Checkpointer {
 public:
  Checkpointer(const std::string& path, std::chrono::milliseconds interval = std::chrono::milliseconds(200));
  ~Checkpointer();

  // WAL frames checkpointed since start.
  uint64_t frames_checkpointed() const;

 private:
  void loop(std::string path);

  std::chrono::milliseconds interval_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t frames_ = 0;
  std::thread thread_;
};

}  // namespace k9::store::sqlite
