// Shared by the rate benchmarks (backup_rate.cc, migrate_rate.cc): timing, one JSON line per
// phase, a phase run in a child process with its peak memory, item text as varied as real
// names and urls, and the plain SQLite peer (rows in transactions of 10,000, WAL, FULL).
#pragma once
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

namespace k9::bench {

using Clock = std::chrono::steady_clock;

inline double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct ChildRun {
  double seconds = 0;
  long peak_rss_kib = -1;   // wait4's ru_maxrss: resident pages, mapped file pages included
  long peak_anon_kib = -1;  // the largest RssAnon seen (sampled every 10 ms): heap and stacks only
};

inline void report(const char* phase, long items, double seconds, const ChildRun* child = nullptr) {
  std::printf("{\"phase\":\"%s\",\"items\":%ld,\"seconds\":%.2f,\"items_per_s\":%.0f", phase, items, seconds,
              items / seconds);
  if (child && child->peak_rss_kib >= 0) std::printf(",\"peak_rss_mib\":%.1f", child->peak_rss_kib / 1024.0);
  if (child && child->peak_anon_kib >= 0) std::printf(",\"peak_anon_mib\":%.1f", child->peak_anon_kib / 1024.0);
  std::printf("}\n");
  std::fflush(stdout);
}

// The RssAnon of process `pid` in KiB, -1 when it cannot be read.
inline long rss_anon_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("RssAnon:", 0) == 0) return std::atol(line.c_str() + 8);
  return -1;
}

// Runs `f` in a child; its wall time and peak memory. Exits the benchmark when the child fails.
inline ChildRun in_child(const std::function<void()>& f) {
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    try {
      f();
      std::_Exit(0);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      std::_Exit(1);
    }
  }
  ChildRun run;
  int status = 0;
  rusage ru{};
  while (wait4(pid, &status, WNOHANG, &ru) == 0) {
    run.peak_anon_kib = std::max(run.peak_anon_kib, rss_anon_kib(pid));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "child failed\n");
    std::exit(1);
  }
  run.seconds = since(t0);
  run.peak_rss_kib = ru.ru_maxrss;
  return run;
}

// Text as varied as real names and urls (a constant one would compress to nothing).
class VariedText {
 public:
  explicit VariedText(uint64_t seed) : seed_(seed) {}
  std::string operator()(size_t n) {
    std::string s(n, ' ');
    for (auto& c : s) {
      seed_ = seed_ * 6364136223846793005ULL + 1442695040888963407ULL;
      c = "abcdefghijklmnopqrstuvwxyz0123456789 -_/.ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(seed_ >> 33) % 67];
    }
    return s;
  }

 private:
  uint64_t seed_;
};

// A new plain SQLite file (WAL, synchronous=FULL) with table t (k PRIMARY KEY, v) and its
// prepared INSERT; the caller finalizes and closes both.
inline std::pair<sqlite3*, sqlite3_stmt*> plain_sqlite_table(const std::filesystem::path& path) {
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                   "CREATE TABLE t (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID", nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?1, ?2)", -1, &st, nullptr);
  return {db, st};
}

// The peer: `items` rows ("user-<i>", value(i)) into a new plain SQLite file in transactions of
// 10,000 (WAL, synchronous=FULL); the seconds it took. The file is removed after.
inline double plain_sqlite_insert(const std::filesystem::path& path, long items,
                                  const std::function<std::string(long)>& value) {
  auto [db, st] = plain_sqlite_table(path);
  auto t0 = Clock::now();
  for (long i = 0; i < items; ++i) {
    if (i % 10000 == 0) sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    std::string key = "user-" + std::to_string(i);
    std::string v = value(i);
    sqlite3_bind_blob(st, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    sqlite3_step(st);
    sqlite3_reset(st);
    if (i % 10000 == 9999 || i == items - 1) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  double seconds = since(t0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  std::filesystem::remove(path);
  return seconds;
}

}  // namespace k9::bench
