// Where a backend's calls are reported as they finish (store and blob operations, for
// metrics), without the layers below knowing who listens. A tap starts with no sink; the
// wiring attaches one (metrics::Registry) once it exists, possibly while calls are running:
// attach() and record() are safe from any thread, record() is lock-free and costs one atomic
// load when nothing listens. A sink outlives the tap's use of it (the wiring detaches first).
#pragma once
#include <atomic>
#include <chrono>
#include <string_view>
#include <type_traits>

namespace k9 {

class OperationSink {
 public:
  virtual ~OperationSink() = default;
  // `operation`: "store.get", "blobs.put"...; `ok`: false when the call threw.
  virtual void record_operation(std::string_view operation, std::chrono::nanoseconds duration, bool ok) noexcept = 0;
};

class OperationTap {
 public:
  void attach(OperationSink* sink) noexcept { sink_.store(sink, std::memory_order_release); }
  bool attached() const noexcept { return sink_.load(std::memory_order_acquire) != nullptr; }
  void record(std::string_view operation, std::chrono::nanoseconds duration, bool ok) const noexcept {
    if (auto* s = sink_.load(std::memory_order_acquire)) s->record_operation(operation, duration, ok);
  }

 private:
  std::atomic<OperationSink*> sink_{nullptr};
};

// Times one call: records on destruction, as failed unless done() was called.
class TimedOperation {
 public:
  TimedOperation(const OperationTap& tap, std::string_view operation)
      : tap_(tap), operation_(operation), start_(tap.attached() ? std::chrono::steady_clock::now()
                                                                : std::chrono::steady_clock::time_point{}) {}
  ~TimedOperation() {
    if (start_ != std::chrono::steady_clock::time_point{})
      tap_.record(operation_, std::chrono::steady_clock::now() - start_, ok_);
  }
  void done() noexcept { ok_ = true; }

 private:
  const OperationTap& tap_;
  std::string_view operation_;
  std::chrono::steady_clock::time_point start_;
  bool ok_ = false;
};

// Runs `call` timed as `operation`: its result, or its exception after recording a failure.
template <class F>
auto timed_call(const OperationTap& tap, std::string_view operation, F&& call) {
  TimedOperation t(tap, operation);
  if constexpr (std::is_void_v<decltype(call())>) {
    call();
    t.done();
  } else {
    auto result = call();
    t.done();
    return result;
  }
}

}  // namespace k9
