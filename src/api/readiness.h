// Readiness with a bound (GET /readyz): whether the backends a request needs answer, said
// within `bound` whatever they do. A hung backend never holds a request longer than that,
// nor more than one thread: one prober thread runs the checks, one after another; a probe()
// that finds a run in progress waits for it, up to the bound, and a finished run is reused for
// `fresh`. A check answers true (usable), false or throws (not usable).
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace k9::api {

class Readiness {
 public:
  struct Check {
    std::string name;  // "store", "blobs", "keys"...
    std::function<bool()> ok;
  };
  struct Result {
    bool ready = false;
    std::vector<std::pair<std::string, std::string>> checks;  // name -> "ok" or why not
  };

  explicit Readiness(std::vector<Check> checks, std::chrono::milliseconds bound = std::chrono::milliseconds(1000),
                     std::chrono::milliseconds fresh = std::chrono::milliseconds(1000));
  // Ending waits for a run in progress (a hung check holds the exit, not a request).
  Readiness(const Readiness&) = delete;
  Readiness& operator=(const Readiness&) = delete;

  Result probe();

 private:
  using Clock = std::chrono::steady_clock;
  void run(std::stop_token stop);

  std::vector<Check> checks_;
  std::chrono::milliseconds bound_, fresh_;
  std::mutex mu_;
  std::condition_variable_any cv_;  // wakes on the prober's stop too
  bool wanted_ = false;     // a run is asked for
  uint64_t runs_done_ = 0;  // finished runs
  Clock::time_point last_at_{};
  Result last_;
  size_t current_ = 0;      // the check the run in progress is on
  std::jthread prober_;  // last: stopped and joined before the rest ends
};

}  // namespace k9::api
