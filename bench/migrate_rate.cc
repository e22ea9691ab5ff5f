// `k9 migrate`'s rate (issue 17): migrate::migrate() from SQLite to SQLite and from SQLite to
// DynamoDB Local, beside the raw write rates of both targets measured in the same run.
//
//   build/bench/k9_bench_migrate_rate [ITEMS] [DDB_ITEMS] [DIR]   (defaults 1000000, 20000, a temporary folder)
//
// 1. peer: plain SQLite, ITEMS rows of the same size in transactions of 10,000 (WAL, FULL).
// 2. source: K9's SqliteStore with ITEMS user items (~400 bytes of varied text each), written by
//    8 threads of batch_write (their batches share group commits).
// 3. migrate sqlite -> sqlite of those ITEMS items with a checkpoint file, as `k9 migrate` runs
//    it (8 writers, verification included), in a child process (peak RSS from wait4).
// 4. DynamoDB Local (tests/peers) started; peer: raw BatchWriteItem calls of 25 items through
//    K9's DynamoDB client, unprocessed items resent, on 8 threads as migrate's writers; DDB_ITEMS.
// 5. migrate sqlite -> DynamoDB Local of a source of DDB_ITEMS items, in a child process.
// Prints one JSON line per phase: items/s and, for 3 and 5, peak RSS in MiB and the phases of
// the run (counting the source, copying, verifying are all in the time).
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "migrate/migration.h"
#include "repo/tables.h"
#include "store/dynamodb/dynamodb_local.h"
#include "store/item_json.h"
#include "store/sqlite/sqlite_store.h"

namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using k9::store::AttributeValue;
using k9::store::Item;

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

// Item text as varied as real names and urls.
static std::string text(uint64_t& seed, size_t n) {
  std::string s(n, ' ');
  for (auto& c : s) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    c = "abcdefghijklmnopqrstuvwxyz0123456789 -_/.ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(seed >> 33) % 67];
  }
  return s;
}

static Item user(long i, uint64_t& seed) {
  return {{"user_id", AttributeValue::S("user-" + std::to_string(i))},
          {"name", AttributeValue::S(text(seed, 330))},
          {"score", AttributeValue::N(std::to_string(i) + ".125")}};
}

// `items` user items into a new store at `path`, from `threads` writers of 25-item batches.
static void fill(const fs::path& path, const k9::repo::Tables& tables, long items, int threads) {
  k9::store::sqlite::SqliteStore store(path.string());
  for (auto& schema : tables.schemas()) store.ensure_table(schema);
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&, t] {
      uint64_t seed = 42 + t;
      std::vector<Item> batch;
      for (long i = t; i < items; i += threads) {
        batch.push_back(user(i, seed));
        if (batch.size() == 25) store.batch_write(tables.users, batch, {}), batch.clear();
      }
      if (!batch.empty()) store.batch_write(tables.users, batch, {});
    });
  for (auto& t : ts) t.join();
}

static k9::migrate::MigrationOptions options(const k9::repo::Tables& tables, const fs::path& checkpoint) {
  k9::migrate::MigrationOptions o;
  o.tables = tables.schemas();
  o.from_label = "bench-source";
  o.to_label = "bench-target";
  o.embeddings_table = tables.embeddings;
  o.checkpoint = checkpoint;
  return o;
}

int main(int argc, char** argv) {
  long items = argc > 1 ? std::atol(argv[1]) : 1000000;
  long ddb_items = argc > 2 ? std::atol(argv[2]) : 20000;
  fs::path dir = argc > 3 ? fs::path(argv[3]) : fs::temp_directory_path() / ("k9-bench-migrate-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto tables = k9::repo::Tables::from_env([](const char*) -> const char* { return nullptr; });

  {  // 1. plain SQLite
    sqlite3* db = nullptr;
    sqlite3_open((dir / "plain.db").c_str(), &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE t (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID", nullptr, nullptr, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?1, ?2)", -1, &st, nullptr);
    uint64_t seed = 7;
    auto t0 = Clock::now();
    for (long i = 0; i < items; ++i) {
      if (i % 10000 == 0) sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
      std::string key = "user-" + std::to_string(i);
      std::string value = k9::store::serialize_item(user(i, seed));
      sqlite3_bind_blob(st, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
      sqlite3_bind_blob(st, 2, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
      sqlite3_step(st);
      sqlite3_reset(st);
      if (i % 10000 == 9999 || i == items - 1) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    report("peer_plain_sqlite_insert", items, since(t0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    fs::remove(dir / "plain.db");
  }

  auto t0 = Clock::now();
  fill(dir / "source.db", tables, items, 8);
  report("fill_source_store_8_threads", items, since(t0));

  auto [sqlite_s, sqlite_kib] = in_child([&] {
    k9::store::sqlite::SqliteStore from((dir / "source.db").string());
    k9::store::sqlite::SqliteStore to((dir / "target.db").string());
    k9::migrate::migrate(from, to, options(tables, dir / "sqlite.checkpoint"));
  });
  report("migrate_sqlite_to_sqlite", items, sqlite_s, sqlite_kib);
  fs::remove(dir / "source.db");
  fs::remove(dir / "target.db");

  fill(dir / "ddb-source.db", tables, ddb_items, 8);
  k9::store::dynamodb::DynamoDbLocal ddb;
  ddb.start();
  k9::aws::DynamoDbOptions client_options;
  client_options.endpoint = ddb.endpoint();
  {  // 4. raw BatchWriteItem
    auto client = std::make_shared<k9::aws::DynamoDbClient>(client_options, k9::store::dynamodb::dynamodb_local_credentials());
    k9::store::dynamodb::DynamoDbStore setup(client);
    setup.ensure_table({"raw", {"user_id", k9::store::AttrType::S}});
    std::atomic<long> next{0};
    std::vector<std::thread> ts;
    t0 = Clock::now();
    for (int t = 0; t < 8; ++t)
      ts.emplace_back([&, t] {
        uint64_t seed = 99 + t;
        for (long start; (start = next.fetch_add(25)) < ddb_items;) {
          json::array writes;
          for (long i = start; i < std::min(ddb_items, start + 25); ++i)
            writes.push_back(json::object{{"PutRequest", json::object{{"Item", k9::store::to_dynamo_json(user(i, seed))}}}});
          json::object request{{"raw", std::move(writes)}};
          for (int attempt = 0; attempt < 50 && !request.empty(); ++attempt) {
            auto resp = client->call("BatchWriteItem", {{"RequestItems", request}});
            auto* un = resp.if_contains("UnprocessedItems");
            request = un ? un->as_object() : json::object{};
          }
        }
      });
    for (auto& t : ts) t.join();
    report("peer_dynamodb_local_batch_write_8_threads", ddb_items, since(t0));
  }

  auto [ddb_s, ddb_kib] = in_child([&] {
    k9::store::sqlite::SqliteStore from((dir / "ddb-source.db").string());
    k9::store::dynamodb::DynamoDbStore to(
        std::make_shared<k9::aws::DynamoDbClient>(client_options, k9::store::dynamodb::dynamodb_local_credentials()));
    k9::migrate::migrate(from, to, options(tables, dir / "ddb.checkpoint"));
  });
  report("migrate_sqlite_to_dynamodb_local", ddb_items, ddb_s, ddb_kib);
  ddb.stop();
  fs::remove_all(dir);
}
