// Progress of a long job (SPEC section 5): a bar redrawn in place on a terminal, plain
// lines (at most one per 5% or per 10 seconds) otherwise, so that logs stay readable.
#pragma once
#include <chrono>
#include <cstdio>
#include <string>

namespace k9::cli {

class Progress {
 public:
  // Writes to `out` (stderr by default); `label` names the job ("import").
  explicit Progress(std::string label, FILE* out = stderr);
  void update(size_t done, size_t total);
  // Prints a message on its own line (the bar is redrawn after it).
  void message(const std::string& text);
  void finish();

 private:
  std::string label_;
  FILE* out_;
  bool terminal_;
  size_t last_percent_ = SIZE_MAX, done_ = 0, total_ = 0;
  std::chrono::steady_clock::time_point last_line_{};
  bool bar_shown_ = false;
};

}  // namespace k9::cli
