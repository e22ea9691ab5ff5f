// `k9 serve`'s periodic sweep of uploads that no report claimed (ImageFiles::sweep_uploads:
// older than a day), once at start and then every `every`, on its own thread. In AWS mode
// (Lambda) run `k9 blobs sweep` on a schedule instead, or give the bucket a lifecycle rule
// expiring the uploads/ prefix after one day.
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "uploads/image_files.h"

namespace k9::cli {

class UploadSweeper {
 public:
  UploadSweeper(uploads::ImageFiles& images, std::chrono::seconds every = std::chrono::hours(1));
  ~UploadSweeper();  // stops and joins

 private:
  void run();
  uploads::ImageFiles& images_;
  std::chrono::seconds every_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace k9::cli
