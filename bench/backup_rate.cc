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
#include <filesystem>
#include <string>

#include "backup/backup.h"
#include "rate_kit.h"
#include "repo/tables.h"
#include "store/sqlite/sqlite_store.h"

namespace fs = std::filesystem;
using k9::bench::Clock;
using k9::bench::report;
using k9::bench::since;
using k9::store::AttributeValue;

int main(int argc, char** argv) {
  long items = argc > 1 ? std::atol(argv[1]) : 1000000;
  fs::path dir = argc > 2 ? fs::path(argv[2]) : fs::temp_directory_path() / ("k9-bench-backup-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "data");
  k9::bench::VariedText text(42);
  double plain = k9::bench::plain_sqlite_insert(dir / "plain.db", items, [&](long) {
    return "{\"name\":{\"S\":\"" + text(330) + "\"}}";
  });
  report("plain_sqlite_insert", items, plain);

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

  auto backup = k9::bench::in_child([&] { k9::backup::write_backup(dir / "data", dir / "data" / "blobs", dir / "k9.backup"); });
  report("backup", items, backup.seconds, &backup);
  auto restore = k9::bench::in_child([&] { k9::backup::restore_backup(dir / "k9.backup", dir / "restored", false); });
  report("restore", items, restore.seconds, &restore);
  std::printf("{\"archive_mib\":%.1f,\"store_mib\":%.1f}\n", fs::file_size(dir / "k9.backup") / 1048576.0,
              fs::file_size(dir / "restored" / "k9.db") / 1048576.0);
  fs::remove_all(dir);
}
