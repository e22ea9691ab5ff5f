#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "store/sqlite/key_encoding.h"
#include "store/store_conformance.h"
#include "testing/base/temp_dir.h"

namespace k9::store {
namespace {

namespace fs = std::filesystem;
using AV = AttributeValue;

// A fresh file name in the test binary's folder (removed when the binary ends).
std::string temp_db(const std::string& name) {
  static testkit::TempDir dir("sqlite-test");
  return (dir / name).string();
}

std::shared_ptr<Store> shared_sqlite() {
  static std::shared_ptr<Store> store = [] {
    auto path = temp_db("conformance.db");
    return std::make_shared<sqlite::SqliteStore>(path);
  }();
  return store;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance, testing::Values(StoreTarget{"sqlite", shared_sqlite}),
                         [](const auto&) { return std::string("sqlite"); });

TEST(KeyEncoding, NumbersSortByValue) {
  std::vector<std::string> ordered{"-1e100", "-100", "-10", "-9.99", "-1.5", "-1", "-0.001", "0",
                                   "0.001", "0.5",  "1",   "1.5",   "9.99", "10", "100",    "1e100"};
  for (size_t i = 0; i + 1 < ordered.size(); ++i) {
    auto a = sqlite::encode_key(AV::N(ordered[i]), AttrType::N, "n");
    auto b = sqlite::encode_key(AV::N(ordered[i + 1]), AttrType::N, "n");
    EXPECT_LT(a, b) << ordered[i] << " < " << ordered[i + 1];
  }
  EXPECT_EQ(sqlite::encode_key(AV::N("1.50"), AttrType::N, "n"), sqlite::encode_key(AV::N("1.5"), AttrType::N, "n"));
}

TEST(SqliteStore, AcknowledgedWritesSurviveReopen) {
  auto path = temp_db("reopen.db");
  TableSchema schema{"things", {"id", AttrType::S}, {{"ByOwner", {"owner", AttrType::S, "n", AttrType::N}}}};
  {
    sqlite::SqliteStore s(path);
    s.ensure_table(schema);
    for (int i = 0; i < 50; ++i)
      s.put({"things", {{"id", AV::S("i" + std::to_string(i))}, {"owner", AV::S("o")}, {"n", AV::N(i)}}});
  }
  sqlite::SqliteStore s(path);
  EXPECT_EQ(s.count({"things", "ByOwner", AV::S("o")}), 50u);
  EXPECT_TRUE(s.get("things", {{"id", AV::S("i49")}}));
}

TEST(SqliteStore, AddingAnIndexBackfillsExistingItems) {
  auto path = temp_db("backfill.db");
  sqlite::SqliteStore s(path);
  s.ensure_table({"t", {"id", AttrType::S}});
  s.put({"t", {{"id", AV::S("a")}, {"g", AV::S("x")}}});
  s.ensure_table({"t", {"id", AttrType::S}, {{"ByG", {"g", AttrType::S}}}});
  EXPECT_EQ(s.count({"t", "ByG", AV::S("x")}), 1u);
}

TEST(SqliteStore, ConcurrentWritesShareCommits) {
  auto path = temp_db("group.db");
  sqlite::SqliteStore s(path);
  s.ensure_table({"t", {"id", AttrType::S}});
  auto [c0, w0] = s.commit_stats();
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) s.put({"t", {{"id", AV::S(std::to_string(t) + "-" + std::to_string(i))}}});
    });
  for (auto& th : threads) th.join();
  auto [c1, w1] = s.commit_stats();
  EXPECT_EQ(w1 - w0, 320u);
  EXPECT_LT(c1 - c0, w1 - w0) << "writes waiting together must share a commit";
  EXPECT_EQ(s.count({"t", "", AV::S("0-0")}), 1u);
}

TEST(SqliteStore, WalIsCheckpointedInTheBackground) {
  auto path = temp_db("checkpoint.db");
  sqlite::SqliteStore s(path);
  s.ensure_table({"t", {"id", AttrType::S}});
  for (int i = 0; i < 200; ++i) s.put({"t", {{"id", AV::S(std::to_string(i))}, {"v", AV::S(std::string(2000, 'x'))}}});
  for (int i = 0; i < 50 && s.checkpointed_frames() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_GT(s.checkpointed_frames(), 0u);
  EXPECT_EQ(s.count({"t", "", AV::S("7")}), 1u);
}

TEST(SqliteStore, WalStaysBoundedUnderSteadyReadsAndWrites) {
  auto path = temp_db("walbound.db");
  sqlite::SqliteStore s(path);
  s.ensure_table({"t", {"id", AttrType::S}});
  std::atomic<bool> stop{false};
  std::thread reader([&] {  // a reader always busy, as a loaded server has
    while (!stop) s.get("t", {{"id", AV::S("1")}});
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&, w] {
      for (int i = 0; i < 1500; ++i)
        s.put({"t", {{"id", AV::S(std::to_string(i % 50))}, {"w", AV::N(w)}, {"v", AV::S(std::string(6000, 'x'))}}});
    });
  for (auto& t : writers) t.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // a checkpoint interval or two
  stop = true;
  reader.join();
  auto wal = fs::path(path + "-wal");
  ASSERT_TRUE(fs::exists(wal));
  // 6,000 writes of two 4 KiB pages each went through the log (about 50 MiB); it was restarted.
  EXPECT_LT(fs::file_size(wal), 24u * 1024 * 1024) << "the WAL grew without bound";
}

TEST(SqliteStore, UnknownTableIsAValidationError) {
  auto path = temp_db("unknown.db");
  sqlite::SqliteStore s(path);
  EXPECT_THROW(s.get("nope", {{"id", AV::S("a")}}), ValidationError);
}

}  // namespace
}  // namespace k9::store
