#include "cli/progress.h"

#include <unistd.h>

namespace k9::cli {

Progress::Progress(std::string label, FILE* out) : label_(std::move(label)), out_(out), terminal_(isatty(fileno(out))) {}

void Progress::update(size_t done, size_t total) {
  done_ = done, total_ = total;
  size_t percent = total ? done * 100 / total : 100;
  if (terminal_) {
    const int width = 30;
    int filled = int(percent * width / 100);
    std::fprintf(out_, "\r%s [%s%s] %3zu%% %zu/%zu", label_.c_str(), std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), percent, done, total);
    std::fflush(out_);
    bar_shown_ = true;
    return;
  }
  auto now = std::chrono::steady_clock::now();
  bool step = last_percent_ == SIZE_MAX || percent / 5 != last_percent_ / 5 || done == total;
  if (step || now - last_line_ > std::chrono::seconds(10)) {
    std::fprintf(out_, "%s: %zu/%zu (%zu%%)\n", label_.c_str(), done, total, percent);
    std::fflush(out_);
    last_percent_ = percent;
    last_line_ = now;
  }
}

void Progress::message(const std::string& text) {
  if (terminal_ && bar_shown_) std::fprintf(out_, "\r\033[K");
  std::fprintf(out_, "%s\n", text.c_str());
  if (terminal_ && bar_shown_) update(done_, total_);
  std::fflush(out_);
}

void Progress::finish() {
  if (terminal_ && bar_shown_) std::fprintf(out_, "\n");
  bar_shown_ = false;
  std::fflush(out_);
}

}  // namespace k9::cli
