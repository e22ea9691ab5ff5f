#include "cli/upload_sweeper.h"

#include <spdlog/spdlog.h>

namespace k9::cli {

UploadSweeper::UploadSweeper(uploads::ImageFiles& images, std::chrono::seconds every)
    : images_(images), every_(every), thread_([this] { run(); }) {}

UploadSweeper::~UploadSweeper() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void UploadSweeper::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    try {
      if (size_t n = images_.sweep_uploads()) spdlog::info("swept {} unclaimed uploads older than a day", n);
    } catch (const std::exception& e) {
      spdlog::warn("upload sweep failed (next try in {} s): {}", every_.count(), e.what());
    }
    lock.lock();
    cv_.wait_for(lock, every_, [this] { return stopping_; });
  }
}

}  // namespace k9::cli
