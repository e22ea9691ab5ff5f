// `k9 serve`'s periodic sweep of uploads that no report claimed (ImageFiles::sweep_uploads:
// older than a day), once at start and then every `every`, on its own thread. In AWS mode
// (Lambda) run `k9 blobs sweep` on a schedule instead, or give the bucket a lifecycle rule
// expiring the uploads/ prefix after one day.
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

#include "uploads/image_files.h"

namespace k9::cli {

class UploadSweeper {
 public:
  UploadSweeper(uploads::ImageFiles& images, std::chrono::seconds every = std::chrono::hours(1));
  // Ending stops the sweeps and waits for one in progress.

 private:
  void run(std::stop_token stop);
  uploads::ImageFiles& images_;
  std::chrono::seconds every_;
  std::mutex mu_;
  std::condition_variable_any cv_;  // wakes on the thread's stop
  std::jthread thread_;  // last: stopped and joined before the rest ends
};

}  // namespace k9::cli
