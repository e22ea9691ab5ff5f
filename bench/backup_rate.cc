// Backup and restore rates of an embedded data folder (issue 17), beside the store's own
// write rate and a plain SQLite bulk insert, measured in the same run on the same disk.
//
//   build/bench/k9_bench_backup_rate [ITEMS] [DIR]     (defaults 1000000, a temporary folder)
//
// 1. peer: plain SQLite, ITEMS rows of the same size in transactions of 10,000 (WAL, FULL).
// 2. fill: K9's SqliteStore::batch_write of ITEMS user items (~400 bytes each), 25 per batch
//    (DynamoDB's batch size), one group commit each: the store's bulk write rate.
// 3. backup: backup::write_backup of that folder, in a child process (its peak RSS from wait4).
// 4. restore: backup::restore_backup into a new folder, in a child process likewise.
// Prints one JSON line per phase: items/s and, for 3 and 4, peak RSS in MiB.
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "backup/backup.h"
#include "repo/tables.h"
#include "store/sqlite/sqlite_store.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using k9::store::AttributeValue;

static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

static void report(const char* phase, long items, double seconds, long peak_kib = -1) {
  std::printf("{\"phase\":\"%s\",\"items\":%ld,\"seconds\":%.2f,\"items_per_s\":%.0f", phase, items, seconds,
              items / seconds);
  if (peak_kib >= 0) std::printf(",\"peak_rss_mib\":%.1f", peak_kib / 1024.0);
  std::printf("}\n");
  std::fflush(stdout);
}

// Runs `f` in a child; returns its wall time and peak RSS (KiB).
static std::pair<double, long> in_child(const std::function<void()>& f) {
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
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "child failed\n");
    std::exit(1);
  }
  return {since(t0), ru.ru_maxrss};
}

int main(int argc, char** argv) {
  long items = argc > 1 ? std::atol(argv[1]) : 1000000;
  fs::path dir = argc > 2 ? fs::path(argv[2]) : fs::temp_directory_path() / ("k9-bench-backup-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "data");
  // Item text as varied as real names and urls (a constant one would compress to nothing).
  uint64_t seed = 42;
  auto text = [&seed](size_t n) {
    std::string s(n, ' ');
    for (auto& c : s) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      c = "abcdefghijklmnopqrstuvwxyz0123456789 -_/.ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(seed >> 33) % 67];
    }
    return s;
  };

  {  // 1. plain SQLite
    sqlite3* db = nullptr;
    sqlite3_open((dir / "plain.db").c_str(), &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE t (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID", nullptr, nullptr, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?1, ?2)", -1, &st, nullptr);
    auto t0 = Clock::now();
    for (long i = 0; i < items; ++i) {
      if (i % 10000 == 0) sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
      std::string key = "user-" + std::to_string(i);
      std::string value = "{\"name\":{\"S\":\"" + text(330) + "\"}}";
      sqlite3_bind_blob(st, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
      sqlite3_bind_blob(st, 2, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
      sqlite3_step(st);
      sqlite3_reset(st);
      if (i % 10000 == 9999 || i == items - 1) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    report("plain_sqlite_insert", items, since(t0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    fs::remove(dir / "plain.db");
  }

  auto tables = k9::repo::Tables::from_env([](const char*) -> const char* { return nullptr; });
  {  // 2. K9's store
    k9::store::sqlite::SqliteStore store((dir / "data" / "k9.db").string());
    for (auto& schema : tables.schemas()) store.ensure_table(schema);
    auto t0 = Clock::now();
    std::vector<k9::store::Item> batch;
    for (long i = 0; i < items; ++i) {
      batch.push_back({{"user_id", AttributeValue::S("user-" + std::to_string(i))}, {"name", AttributeValue::S(text(330))}});
      if (batch.size() == 25 || i == items - 1) {
        store.batch_write(tables.users, batch, {});
        batch.clear();
      }
    }
    report("k9_store_batch_write", items, since(t0));
  }

  auto [backup_s, backup_kib] = in_child([&] { k9::backup::write_backup(dir / "data", dir / "data" / "blobs", dir / "k9.backup"); });
  report("backup", items, backup_s, backup_kib);
  auto [restore_s, restore_kib] = in_child([&] { k9::backup::restore_backup(dir / "k9.backup", dir / "restored", false); });
  report("restore", items, restore_s, restore_kib);
  std::printf("{\"archive_mib\":%.1f,\"store_mib\":%.1f}\n", fs::file_size(dir / "k9.backup") / 1048576.0,
              fs::file_size(dir / "restored" / "k9.db") / 1048576.0);
  fs::remove_all(dir);
}
