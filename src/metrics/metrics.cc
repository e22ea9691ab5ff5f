#include "metrics/metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <span>
#include <thread>

#include "core/append_number.h"

namespace k9::metrics {

namespace {

constexpr std::string_view kUnmatched = "unmatched";

void append_bound(std::string& out, double v) { append_number(out, v, std::chars_format::general); }

// A label value, escaped as the format wants (\\, \", \n).
void append_label(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

std::string status_label(size_t slot) {
  if (slot < kStatuses.size()) return std::to_string(kStatuses[slot]);
  return std::to_string(slot - kStatuses.size() + 1) + "xx";
}

template <size_t N>
size_t bucket_of(const std::array<double, N>& bounds, double seconds) {
  return size_t(std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin());
}

}  // namespace

size_t Registry::status_slot(int status) noexcept {
  for (size_t i = 0; i < kStatuses.size(); ++i)
    if (kStatuses[i] == status) return i;
  int cls = std::clamp(status / 100, 1, 5);
  return kStatuses.size() + size_t(cls - 1);
}

Registry::Registry(const std::vector<std::string>& routes, size_t shards) {
  names_ = routes;
  names_.emplace_back(kUnmatched);
  for (size_t i = 0; i < names_.size(); ++i) index_.emplace(names_[i], i);
  if (shards == 0) shards = std::clamp<size_t>(std::thread::hardware_concurrency() * 2, 4, 64);
  shards_.resize(shards);
  for (auto& s : shards_) {
    s.routes = std::make_unique<RouteCounters[]>(names_.size());
    s.operations = std::make_unique<OperationCounters[]>(kOperations.size());
  }
}

Registry::~Registry() = default;

size_t Registry::route_index(std::string_view route) const noexcept {
  auto it = index_.find(route.empty() ? kUnmatched : route);
  return it == index_.end() ? names_.size() - 1 : it->second;
}

Registry::Shard& Registry::shard() noexcept {
  // Each thread takes the next slot once: threads that count (io threads, handler threads)
  // spread over the shards, so no two of the first `shards` threads share a counter.
  thread_local const Registry* owner = nullptr;
  thread_local size_t slot = 0;
  if (owner != this) {
    owner = this;
    slot = next_shard_.fetch_add(1, std::memory_order_relaxed) % shards_.size();
  }
  return shards_[slot];
}

void Registry::record(std::string_view route, int status, uint64_t bytes_in, uint64_t bytes_out,
                      std::chrono::nanoseconds duration) noexcept {
  auto& c = shard().routes[route_index(route)];
  constexpr auto relaxed = std::memory_order_relaxed;
  c.status[status_slot(status)].fetch_add(1, relaxed);
  double seconds = std::chrono::duration<double>(duration).count();
  c.latency[bucket_of(kLatencyBuckets, seconds)].fetch_add(1, relaxed);
  c.nanos.fetch_add(uint64_t(std::max<int64_t>(0, duration.count())), relaxed);
  c.bytes_in.fetch_add(bytes_in, relaxed);
  c.bytes_out.fetch_add(bytes_out, relaxed);
}

namespace {
size_t operation_index(std::string_view operation) noexcept {
  for (size_t i = 0; i < kOperations.size(); ++i)
    if (kOperations[i] == operation) return i;
  return kOperations.size();
}
}  // namespace

void Registry::record_operation(std::string_view operation, std::chrono::nanoseconds duration, bool ok) noexcept {
  size_t i = operation_index(operation);
  if (i == kOperations.size()) return;
  auto& c = shard().operations[i];
  constexpr auto relaxed = std::memory_order_relaxed;
  c.latency[bucket_of(kLatencyBuckets, std::chrono::duration<double>(duration).count())].fetch_add(1, relaxed);
  c.nanos.fetch_add(uint64_t(std::max<int64_t>(0, duration.count())), relaxed);
  if (!ok) c.failed.fetch_add(1, relaxed);
}

uint64_t Registry::operations(std::string_view operation) const {
  size_t i = operation_index(operation);
  uint64_t n = 0;
  if (i == kOperations.size()) return 0;
  for (auto& s : shards_)
    for (auto& v : s.operations[i].latency) n += v.load(std::memory_order_relaxed);
  return n;
}

void Registry::record_analysis(std::chrono::nanoseconds duration, bool ok) noexcept {
  constexpr auto relaxed = std::memory_order_relaxed;
  analysis_buckets_[bucket_of(kAnalysisBuckets, std::chrono::duration<double>(duration).count())].fetch_add(1, relaxed);
  analysis_nanos_.fetch_add(uint64_t(std::max<int64_t>(0, duration.count())), relaxed);
  analysis_outcomes_[ok ? 0 : 1].fetch_add(1, relaxed);
}

void Registry::add_gauge(Gauge gauge) {
  std::lock_guard lock(gauges_mu_);
  gauges_.push_back(std::move(gauge));
}

uint64_t Registry::requests(std::string_view route) const {
  uint64_t n = 0;
  size_t r = route_index(route);
  for (auto& s : shards_)
    for (auto& v : s.routes[r].status) n += v.load(std::memory_order_relaxed);
  return n;
}

uint64_t Registry::requests(std::string_view route, int status) const {
  uint64_t n = 0;
  size_t r = route_index(route), k = status_slot(status);
  for (auto& s : shards_) n += s.routes[r].status[k].load(std::memory_order_relaxed);
  return n;
}

namespace {

// The rows of one histogram: `counts` per bucket (not cumulative; the last is +Inf) of the
// upper `bounds` (seconds), the sum of what it counted in nanoseconds. A labelled one (one
// series of many) has no rows when it counted nothing.
void append_histogram(std::string& out, std::string_view name, std::string_view label, std::string_view value,
                      std::span<const double> bounds, std::span<const uint64_t> counts, uint64_t nanos) {
  uint64_t total = 0;
  for (auto v : counts) total += v;
  if (!total && !label.empty()) return;
  // name_suffix{label="value" and what `more` adds} (no braces when there is nothing inside).
  auto series = [&](std::string_view suffix, std::string_view more) {
    out += name;
    out += suffix;
    if (label.empty() && more.empty()) return;
    out += '{';
    if (!label.empty()) {
      out += label;
      out += "=\"";
      append_label(out, value);
      out += '"';
      if (!more.empty()) out += ',';
    }
    out += more;
  };
  uint64_t cumulative = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    cumulative += counts[k];
    series("_bucket", "le=\"");
    if (k < bounds.size()) append_bound(out, bounds[k]);
    else out += "+Inf";
    out += "\"} ";
    append_number(out, cumulative);
    out += '\n';
  }
  series("_sum", "");
  out += label.empty() ? " " : "} ";
  append_number(out, double(nanos) / 1e9);
  out += '\n';
  series("_count", "");
  out += label.empty() ? " " : "} ";
  append_number(out, total);
  out += '\n';
}

}  // namespace

std::string Registry::scrape() const {
  constexpr auto relaxed = std::memory_order_relaxed;
  const size_t n = names_.size();
  // Sums over the shards.
  std::vector<std::array<uint64_t, kStatusSlots>> status(n);
  std::vector<std::array<uint64_t, kLatencySlots>> latency(n);
  std::vector<uint64_t> nanos(n), in(n), out_bytes(n);
  for (auto& s : shards_) {
    for (size_t r = 0; r < n; ++r) {
      auto& c = s.routes[r];
      for (size_t k = 0; k < kStatusSlots; ++k) status[r][k] += c.status[k].load(relaxed);
      for (size_t k = 0; k < kLatencySlots; ++k) latency[r][k] += c.latency[k].load(relaxed);
      nanos[r] += c.nanos.load(relaxed);
      in[r] += c.bytes_in.load(relaxed);
      out_bytes[r] += c.bytes_out.load(relaxed);
    }
  }
  std::string out;
  out.reserve(16384);
  header(out, "k9_http_requests_total", "counter", "HTTP requests answered, by route name and status.");
  for (size_t r = 0; r < n; ++r)
    for (size_t k = 0; k < kStatusSlots; ++k) {
      if (!status[r][k]) continue;
      out += "k9_http_requests_total{route=\"";
      append_label(out, names_[r]);
      out += "\",status=\"";
      out += status_label(k);
      out += "\"} ";
      append_number(out, status[r][k]);
      out += '\n';
    }
  header(out, "k9_http_request_duration_seconds", "histogram",
         "Time from a request's first byte to the end of its answer's write, by route name.");
  for (size_t r = 0; r < n; ++r)
    append_histogram(out, "k9_http_request_duration_seconds", "route", names_[r], kLatencyBuckets, latency[r], nanos[r]);
  auto bytes = [&](std::string_view name, std::string_view help, const std::vector<uint64_t>& v) {
    header(out, name, "counter", help);
    for (size_t r = 0; r < n; ++r) {
      uint64_t total = 0;
      for (auto x : status[r]) total += x;
      if (!total) continue;
      out += name;
      out += "{route=\"";
      append_label(out, names_[r]);
      out += "\"} ";
      append_number(out, v[r]);
      out += '\n';
    }
  };
  bytes("k9_http_request_bytes_total", "Bytes received (head and body), by route name.", in);
  bytes("k9_http_response_bytes_total", "Bytes sent (head and body), by route name.", out_bytes);

  header(out, "k9_backend_operation_duration_seconds", "histogram",
         "Time of one store or file-store call as the service saw it (its adapter's retries included), by operation.");
  std::vector<uint64_t> op_failed(kOperations.size());
  for (size_t i = 0; i < kOperations.size(); ++i) {
    std::array<uint64_t, kLatencySlots> buckets{};
    uint64_t op_nanos = 0;
    for (auto& s : shards_) {
      auto& c = s.operations[i];
      for (size_t k = 0; k < kLatencySlots; ++k) buckets[k] += c.latency[k].load(relaxed);
      op_nanos += c.nanos.load(relaxed);
      op_failed[i] += c.failed.load(relaxed);
    }
    append_histogram(out, "k9_backend_operation_duration_seconds", "operation", kOperations[i], kLatencyBuckets, buckets,
                     op_nanos);
  }
  header(out, "k9_backend_operation_failures_total", "counter",
         "Store or file-store calls that failed after their adapter's retries, by operation.");
  for (size_t i = 0; i < kOperations.size(); ++i) {
    out += "k9_backend_operation_failures_total{operation=\"";
    out += kOperations[i];
    out += "\"} ";
    append_number(out, op_failed[i]);
    out += '\n';
  }

  header(out, "k9_analysis_duration_seconds", "histogram", "Time one report analysis ran (a job's attempt).");
  std::array<uint64_t, kAnalysisBuckets.size() + 1> analyses{};
  for (size_t k = 0; k < analyses.size(); ++k) analyses[k] = analysis_buckets_[k].load(relaxed);
  append_histogram(out, "k9_analysis_duration_seconds", "", "", kAnalysisBuckets, analyses, analysis_nanos_.load(relaxed));
  header(out, "k9_analyses_total", "counter",
         "Report analysis runs by outcome: done (the report is ready, or failed on its photos), error (a fault: retried).");
  out += "k9_analyses_total{outcome=\"done\"} ";
  append_number(out, analysis_outcomes_[0].load(relaxed));
  out += "\nk9_analyses_total{outcome=\"error\"} ";
  append_number(out, analysis_outcomes_[1].load(relaxed));
  out += '\n';

  std::vector<Gauge> gauges;
  {
    std::lock_guard lock(gauges_mu_);
    gauges = gauges_;
  }
  for (auto& g : gauges) {
    double v;
    try {
      v = g.read();
    } catch (...) {
      continue;  // a backend that cannot answer now: the gauge is absent from this scrape
    }
    header(out, g.name, "gauge", g.help);
    out += g.name;
    out += ' ';
    append_number(out, v);
    out += '\n';
  }
  append_process_metrics(out, started_);
  return out;
}

void append_process_metrics(std::string& out, std::chrono::system_clock::time_point started) {
  const double page = double(::sysconf(_SC_PAGESIZE));
  unsigned long size = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%lu %lu", &size, &resident) != 2) size = resident = 0;
    std::fclose(f);
  }
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  double cpu = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  size_t fds = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (auto* e = ::readdir(d))
      if (e->d_name[0] != '.') ++fds;
    ::closedir(d);
    if (fds) --fds;  // the directory's own descriptor
  }
  header(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
  out += "process_cpu_seconds_total ";
  append_number(out, cpu);
  header(out += '\n', "process_resident_memory_bytes", "gauge", "Resident memory (/proc/self/statm), in bytes.");
  out += "process_resident_memory_bytes ";
  append_number(out, double(resident) * page);
  header(out += '\n', "process_virtual_memory_bytes", "gauge", "Virtual memory size, in bytes.");
  out += "process_virtual_memory_bytes ";
  append_number(out, double(size) * page);
  header(out += '\n', "process_open_fds", "gauge", "Open file descriptors.");
  out += "process_open_fds ";
  append_number(out, uint64_t(fds));
  header(out += '\n', "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.");
  out += "process_start_time_seconds ";
  append_number(out, double(std::chrono::duration_cast<std::chrono::seconds>(started.time_since_epoch()).count()));
  out += '\n';
}

}  // namespace k9::metrics
