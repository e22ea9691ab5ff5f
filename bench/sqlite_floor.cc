// The storage floor for durable writes: a plain SQLite insert-and-fsync loop (one row per
// transaction, WAL, synchronous=FULL), beside K9's SqliteStore::put from N threads (group
// commit), on the same disk in the same run. Prints one JSON line per measurement.
//
//   build/k9_bench_sqlite_floor [DIR] [SECONDS] [THREADS]
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "rate_kit.h"
#include "store/sqlite/sqlite_store.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

static void plain_loop(const std::string& path, double seconds) {
  auto [db, st] = k9::bench::plain_sqlite_table(path);
  std::string value(400, 'x');
  long n = 0;
  auto start = Clock::now();
  while (seconds_since(start) < seconds) {
    std::string key = "k" + std::to_string(n++);
    sqlite3_bind_blob(st, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    sqlite3_step(st);  // autocommit: one transaction, one fsync
    sqlite3_reset(st);
  }
  double el = seconds_since(start);
  std::printf("{\"bench\":\"plain_sqlite_insert_fsync\",\"threads\":1,\"writes\":%ld,\"per_second\":%.0f}\n", n,
              n / el);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

static void group_commit(const std::string& path, double seconds, int threads) {
  fs::remove(path);
  using namespace k9::store;
  sqlite::SqliteStore store(path);
  store.ensure_table({"t", {"id", AttrType::S}});
  std::atomic<long> n{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> ts;
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&, t] {
      for (long i = 0; !stop; ++i) {
        store.put({"t", {{"id", AttributeValue::S(std::to_string(t) + "-" + std::to_string(i))},
                         {"v", AttributeValue::S(std::string(400, 'x'))}}});
        ++n;
      }
    });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : ts) th.join();
  double el = seconds_since(start);
  auto [commits, writes] = store.commit_stats();
  std::printf("{\"bench\":\"k9_sqlite_store_put\",\"threads\":%d,\"writes\":%ld,\"per_second\":%.0f,"
              "\"commits\":%llu,\"writes_per_commit\":%.1f}\n",
              threads, n.load(), n / el, static_cast<unsigned long long>(commits),
              commits ? static_cast<double>(writes) / commits : 0.0);
}

int main(int argc, char** argv) {
  fs::path dir = argc > 1 ? argv[1] : fs::temp_directory_path() / "k9-bench-floor";
  double seconds = argc > 2 ? std::atof(argv[2]) : 5;
  int threads = argc > 3 ? std::atoi(argv[3]) : 32;
  fs::create_directories(dir);
  plain_loop((dir / "plain.db").string(), seconds);
  group_commit((dir / "group.db").string(), seconds, 1);
  group_commit((dir / "group.db").string(), seconds, threads);
  return 0;
}
