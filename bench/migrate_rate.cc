// `k9 migrate`'s rate (issue 17): migrate::migrate() from SQLite to SQLite and from SQLite to
// DynamoDB Local, beside the raw write rates of both targets measured in the same run.
//
//   build/bench/k9_bench_migrate_rate [ITEMS] [DDB_ITEMS] [DIR]   (defaults 1000000, 100000, a temporary folder)
//
// 1. peer: plain SQLite, ITEMS rows of the same size in transactions of 10,000 (WAL, FULL).
// 2. source: K9's SqliteStore with ITEMS user items (~400 bytes of varied text each), written by
//    8 threads of batch_write (their batches share group commits).
// 3. migrate sqlite -> sqlite of those ITEMS items with a checkpoint file, as `k9 migrate` runs
//    it (8 writers, verification included), in a child process: peak RSS from wait4 (it counts
//    the store files' mmap'd pages: SQLite maps up to 256 MiB of each file) and the peak
//    anonymous RSS (heap, stacks), sampled. Steps 2 and 3 run at ITEMS/10 first, then ITEMS.
// 4. DynamoDB Local (tests/peers) started; peer: raw BatchWriteItem calls of 25 items through
//    K9's DynamoDB client, unprocessed items resent, on 8 threads as migrate's writers; DDB_ITEMS,
//    into a table of their own, before step 5 and again after it.
// 5. migrate sqlite -> DynamoDB Local of a source of DDB_ITEMS items, in a child process.
// 3b, 5b. k9 export of the source (DynamoDB's export layout) and k9 import of that export
//    (staged in SQLite, then migrated) into a new SQLite store and into DynamoDB Local.
// Prints one JSON line per phase: items/s and, for 3 and 5, peak RSS and peak anonymous RSS in
// MiB. A migration's time holds all of it: counting and digesting the source, copying,
// verifying the target.
#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "migrate/export_tables.h"
#include "migrate/migration.h"
#include "migrate/staging.h"
#include "rate_kit.h"
#include "repo/tables.h"
#include "store/dynamodb/dynamodb_local.h"
#include "store/item_json.h"
#include "store/sqlite/sqlite_store.h"

namespace fs = std::filesystem;
namespace json = boost::json;
using k9::bench::Clock;
using k9::bench::report;
using k9::bench::since;
using k9::store::AttributeValue;
using k9::store::Item;

static Item user(long i, k9::bench::VariedText& text) {
  return {{"user_id", AttributeValue::S("user-" + std::to_string(i))},
          {"name", AttributeValue::S(text(330))},
          {"score", AttributeValue::N(std::to_string(i) + ".125")}};
}

// `items` user items into a new store at `path`, from `threads` writers of 25-item batches.
static void fill(const fs::path& path, const k9::repo::Tables& tables, long items, int threads) {
  k9::store::sqlite::SqliteStore store(path.string());
  for (auto& schema : tables.schemas()) store.ensure_table(schema);
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&, t] {
      k9::bench::VariedText text(42 + t);
      std::vector<Item> batch;
      for (long i = t; i < items; i += threads) {
        batch.push_back(user(i, text));
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
  if (!std::getenv("K9_BENCH_NO_CHECKPOINT")) o.checkpoint = checkpoint;
  if (std::getenv("K9_BENCH_VERBOSE")) {  // where the time goes: each step's line, timed, on stderr
    auto t0 = Clock::now();
    o.on_message = [t0](const std::string& line) { std::fprintf(stderr, "%7.2f s %s\n", since(t0), line.c_str()); };
  }
  return o;
}

static k9::migrate::ExportOptions export_options(const k9::repo::Tables& tables) {
  k9::migrate::ExportOptions o;
  o.tables = tables.by_kind();
  return o;
}

static k9::migrate::StagingOptions staging_options(const k9::repo::Tables& tables) {
  k9::migrate::StagingOptions o;
  auto kinds = tables.by_kind();
  for (auto& schema : tables.schemas())
    for (auto& [kind, name] : kinds)
      if (name == schema.name) o.tables.push_back({kind, schema});
  return o;
}

int main(int argc, char** argv) {
  long items = argc > 1 ? std::atol(argv[1]) : 1000000;
  long ddb_items = argc > 2 ? std::atol(argv[2]) : 100000;
  fs::path dir = argc > 3 ? fs::path(argv[3]) : fs::temp_directory_path() / ("k9-bench-migrate-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto tables = k9::repo::Tables::from_env([](const char*) -> const char* { return nullptr; });

  // k9 export of the SQLite store at `source` to `folder`, then k9 import of it into the store
  // `target` makes, each in a child process; the export is removed afterwards.
  auto export_then_import = [&](const fs::path& source, const fs::path& folder, long n, const char* phase,
                                const std::function<std::unique_ptr<k9::store::Store>()>& target) {
    auto run = k9::bench::in_child([&] {
      k9::store::sqlite::SqliteStore from(source.string());
      k9::migrate::export_tables(from, folder, export_options(tables));
    });
    report("export_sqlite", n, run.seconds, &run);
    run = k9::bench::in_child([&] {
      k9::migrate::import_folder(folder, *target(), staging_options(tables), options(tables, dir / "import.checkpoint"),
                                 dir);
    });
    report(phase, n, run.seconds, &run);
    fs::remove_all(folder);
  };

  k9::bench::VariedText text(7);
  double plain = k9::bench::plain_sqlite_insert(dir / "plain.db", items,
                                                [&](long i) { return k9::store::serialize_item(user(i, text)); });
  report("peer_plain_sqlite_insert", items, plain);

  // A tenth of the size first: the memory a migration needs does not grow with the table.
  for (long n : {items / 10, items}) {
    auto t0 = Clock::now();
    fill(dir / "source.db", tables, n, 8);
    report("fill_source_store_8_threads", n, since(t0));
    auto run = k9::bench::in_child([&] {
      k9::store::sqlite::SqliteStore from((dir / "source.db").string());
      k9::store::sqlite::SqliteStore to((dir / "target.db").string());
      k9::migrate::migrate(from, to, options(tables, dir / "sqlite.checkpoint"));
    });
    report("migrate_sqlite_to_sqlite", n, run.seconds, &run);
    // k9 export of the same store, then k9 import of that export into a new store.
    export_then_import(dir / "source.db", dir / "export", n, "import_into_sqlite", [&] {
      return std::make_unique<k9::store::sqlite::SqliteStore>((dir / "imported.db").string());
    });
    for (const char* f : {"imported.db", "imported.db-wal", "imported.db-shm", "imported.db.lock", "source.db", "source.db-wal", "source.db-shm", "source.db.lock", "target.db", "target.db-wal",
                          "target.db-shm", "target.db.lock"})
      fs::remove(dir / f);
  }

  fill(dir / "ddb-source.db", tables, ddb_items, 8);
  k9::store::dynamodb::DynamoDbLocal ddb;
  ddb.start();
  k9::aws::DynamoDbOptions client_options;
  client_options.endpoint = ddb.endpoint();
  // 4. raw BatchWriteItem into table `name`, before and after the migration (DynamoDB Local's
  // JVM warms up in the first run).
  auto raw_batch_writes = [&](const std::string& name) {
    auto client = std::make_shared<k9::aws::DynamoDbClient>(client_options, k9::store::dynamodb::dynamodb_local_credentials());
    k9::store::dynamodb::DynamoDbStore setup(client);
    setup.ensure_table({name, {"user_id", k9::store::AttrType::S}});
    std::atomic<long> next{0};
    std::vector<std::thread> ts;
    auto t0 = Clock::now();
    for (int t = 0; t < 8; ++t)
      ts.emplace_back([&, t] {
        k9::bench::VariedText text(99 + t);
        for (long start; (start = next.fetch_add(25)) < ddb_items;) {
          json::array writes;
          for (long i = start; i < std::min(ddb_items, start + 25); ++i)
            writes.push_back(json::object{{"PutRequest", json::object{{"Item", k9::store::to_dynamo_json(user(i, text))}}}});
          json::object request{{name, std::move(writes)}};
          for (int attempt = 0; attempt < 50 && !request.empty(); ++attempt) {
            auto resp = client->call("BatchWriteItem", {{"RequestItems", request}});
            auto* un = resp.if_contains("UnprocessedItems");
            request = un ? un->as_object() : json::object{};
          }
        }
      });
    for (auto& t : ts) t.join();
    report("peer_dynamodb_local_batch_write_8_threads", ddb_items, since(t0));
  };
  raw_batch_writes("raw-before");

  auto ddb_run = k9::bench::in_child([&] {
    k9::store::sqlite::SqliteStore from((dir / "ddb-source.db").string());
    k9::store::dynamodb::DynamoDbStore to(
        std::make_shared<k9::aws::DynamoDbClient>(client_options, k9::store::dynamodb::dynamodb_local_credentials()));
    k9::migrate::migrate(from, to, options(tables, dir / "ddb.checkpoint"));
  });
  report("migrate_sqlite_to_dynamodb_local", ddb_items, ddb_run.seconds, &ddb_run);
  // k9 import of that store's export into DynamoDB Local (other tables: another access key).
  export_then_import(dir / "ddb-source.db", dir / "ddb-export", ddb_items, "import_into_dynamodb_local", [&] {
    auto credentials = std::make_shared<k9::aws::StaticCredentials>(
        k9::aws::Credentials{"k9benchimport", "k9localsecret", "", std::nullopt});
    return std::make_unique<k9::store::dynamodb::DynamoDbStore>(
        std::make_shared<k9::aws::DynamoDbClient>(client_options, credentials));
  });
  raw_batch_writes("raw-after");
  ddb.stop();
  fs::remove_all(dir);
}
