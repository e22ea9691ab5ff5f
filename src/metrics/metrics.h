// K9's metrics in Prometheus' text exposition format (version 0.0.4), served by `k9 serve` at
// GET /metrics on its own port (--metrics-port, loopback by default; never the public one).
//
// Requests are counted by route name (the route table's, api/route.h: never the raw path),
// status, latency (a histogram) and bytes in and out. The hot path (record(), one call per
// request on the io or handler thread that wrote the answer) takes no lock and shares no cache
// line between threads: counters live in shards, one per thread slot, each a block of relaxed
// atomics; a scrape sums the shards. Names are resolved against a table fixed at start.
// Everything else (connections, job queue depth, process memory and CPU) is read when scraped.
#pragma once
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/operation_tap.h"

namespace k9::metrics {

// Latency bucket bounds in seconds (the last bucket, +Inf, is implied).
inline constexpr std::array<double, 14> kLatencyBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                        0.1,    0.25,  0.5,    1,     2.5,   5,     10};
// Analysis durations: seconds to minutes.
inline constexpr std::array<double, 10> kAnalysisBuckets{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

// Statuses counted one by one; any other falls into its class (2xx, 4xx, ...).
inline constexpr std::array<int, 19> kStatuses{200, 201, 202, 204, 303, 304, 400, 401, 403, 404,
                                               405, 409, 410, 413, 415, 429, 431, 500, 503};

// The backend operations timed through core/operation_tap.h (store/observed_store.h,
// blobs/observed_blob_store.h); any other name is not counted.
inline constexpr std::array<std::string_view, 16> kOperations{
    "store.ensure_table", "store.get",   "store.put",        "store.update",   "store.remove",   "store.query",
    "store.count",        "store.batch_get", "store.batch_write", "store.transact_write", "blobs.put", "blobs.get",
    "blobs.head",         "blobs.remove", "blobs.copy",        "blobs.list"};

class Registry final : public OperationSink {
 public:
  // `routes`: every route name of the table; a request of no route is recorded as "unmatched".
  explicit Registry(const std::vector<std::string>& routes, size_t shards = 0);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // One answered request. Lock-free; safe from any thread.
  void record(std::string_view route, int status, uint64_t bytes_in, uint64_t bytes_out,
              std::chrono::nanoseconds duration) noexcept;
  // One store or blob call (OperationSink): latency histogram and failures by operation.
  // Lock-free, sharded like record().
  void record_operation(std::string_view operation, std::chrono::nanoseconds duration, bool ok) noexcept override;
  uint64_t operations(std::string_view operation) const;  // calls recorded (tests)
  // One analysis run and how it ended: ok (ran to its end), else a fault (retried).
  void record_analysis(std::chrono::nanoseconds duration, bool ok) noexcept;

  // Gauges read at scrape time: (name, help, value) rows the wiring supplies (open
  // connections, requests in flight, job queue depth). A throwing gauge is left out.
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };
  void add_gauge(Gauge gauge);

  // The exposition text: counters, histograms, gauges, process metrics.
  std::string scrape() const;

  // Request counters of one route (tests): total over statuses, and of one status.
  uint64_t requests(std::string_view route) const;
  uint64_t requests(std::string_view route, int status) const;

  static constexpr size_t kStatusSlots = kStatuses.size() + 5;  // + 1xx..5xx classes
  static constexpr size_t kLatencySlots = kLatencyBuckets.size() + 1;
  static size_t status_slot(int status) noexcept;

 private:
  struct alignas(64) RouteCounters {
    std::array<std::atomic<uint64_t>, kStatusSlots> status{};
    std::array<std::atomic<uint64_t>, kLatencySlots> latency{};  // per bucket (not cumulative)
    std::atomic<uint64_t> nanos{0};
    std::atomic<uint64_t> bytes_in{0}, bytes_out{0};
  };
  struct alignas(64) OperationCounters {
    std::array<std::atomic<uint64_t>, kLatencySlots> latency{};
    std::atomic<uint64_t> nanos{0}, failed{0};
  };
  struct Shard {
    std::unique_ptr<RouteCounters[]> routes;
    std::unique_ptr<OperationCounters[]> operations;
  };
  size_t route_index(std::string_view route) const noexcept;
  Shard& shard() noexcept;

  std::vector<std::string> names_;  // index -> name; the last is "unmatched"
  std::unordered_map<std::string_view, size_t> index_;
  std::vector<Shard> shards_;
  std::atomic<size_t> next_shard_{0};

  std::array<std::atomic<uint64_t>, kAnalysisBuckets.size() + 1> analysis_buckets_{};
  std::atomic<uint64_t> analysis_nanos_{0};
  std::array<std::atomic<uint64_t>, 2> analysis_outcomes_{};  // done, error

  mutable std::mutex gauges_mu_;
  std::vector<Gauge> gauges_;
  std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
};

// Appends the process metrics (process_resident_memory_bytes from /proc/self/statm,
// process_cpu_seconds_total, process_virtual_memory_bytes, process_open_fds,
// process_start_time_seconds) to `out`.
void append_process_metrics(std::string& out, std::chrono::system_clock::time_point started);

}  // namespace k9::metrics
