// FakeClock: a Clock (core/clock.h) that tests set and move by hand.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/clock.h"

namespace k9::testkit {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t unix_seconds = 1'800'000'000) : seconds_(unix_seconds) {}
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(std::chrono::seconds(seconds_.load()));
  }
  void set(int64_t unix_seconds) { seconds_ = unix_seconds; }
  void advance(int64_t seconds) { seconds_ += seconds; }
  int64_t seconds() const { return seconds_; }

 private:
  std::atomic<int64_t> seconds_;
};

}  // namespace k9::testkit
