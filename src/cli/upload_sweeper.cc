#include "cli/upload_sweeper.h"

#include <spdlog/spdlog.h>

namespace k9::cli {

UploadSweeper::UploadSweeper(uploads::ImageFiles& images, std::chrono::seconds every)
    : images_(images), every_(every), thread_([this](std::stop_token s) { run(s); }) {}

void UploadSweeper::run(std::stop_token stop) {
  std::unique_lock lock(mu_);
  while (!stop.stop_requested()) {
    lock.unlock();
    try {
      if (size_t n = images_.sweep_uploads()) spdlog::info("swept {} unclaimed uploads older than a day", n);
    } catch (const std::exception& e) {
      spdlog::warn("upload sweep failed (next try in {} s): {}", every_.count(), e.what());
    }
    lock.lock();
    cv_.wait_for(lock, stop, every_, [] { return false; });
  }
}

}  // namespace k9::cli
