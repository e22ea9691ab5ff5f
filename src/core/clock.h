// Time: the one seam through which the domain reads the clock, so tests can set it.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace k9 {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
  // The process-wide real clock.
  static const Clock& system();
};

// ISO-8601 UTC with milliseconds: 2026-11-26T05:14:23.123Z
std::string iso8601_ms(std::chrono::system_clock::time_point t);
int64_t unix_seconds(std::chrono::system_clock::time_point t);

}  // namespace k9
