// Background WAL checkpoints. The writer connection has automatic checkpoints turned off
// (wal_autocheckpoint=0) so that no commit pays for copying the WAL into the database and
// its fsync; this thread does it instead, on its own connection, with PASSIVE checkpoints
// (never blocking the writer or readers) every `interval`, and once more when it stops.
// When the WAL holds more than 16 MiB of frames it runs a TRUNCATE checkpoint, which waits
// briefly for the writer and for readers of old frames, so that the log restarts and its
// file shrinks: without it, steady reads keep PASSIVE checkpoints from ever restarting it.
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
