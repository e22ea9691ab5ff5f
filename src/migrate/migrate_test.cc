// migrate() from one real SQLite store to another: every table copied and verified, a second
// run that changes nothing, a target with other data refused unless merge, an interrupted
// run resumed from its checkpoint, damaged checkpoints refused, digests that catch one changed
// number, and the Python generation's embeddings given SPEC's key.
#include "migrate/migration.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "migrate/checkpoint.h"
#include "repo/embedding_repository.h"
#include "repo/tables.h"
#include "store/item_json.h"
#include "store/sqlite/sqlite_store.h"
#include "store/test_items.h"
#include "testing/base/temp_dir.h"

namespace k9::migrate {
namespace {

using store::AttributeValue;
using store::Item;
using AV = AttributeValue;

repo::Tables tables() {
  return repo::Tables::from_env([](const char* n) -> const char* {
    return std::string(n) == "ENVIRONMENT" ? "mtest" : nullptr;
  });
}

// The items of a table, by their canonical encoding (a scan, page after page).
std::map<std::string, Item> contents(store::Store& s, const std::string& table) {
  std::map<std::string, Item> out;
  store::ScanRequest r{table, 50};
  for (int pages = 0; pages < 1000; ++pages) {
    auto page = s.scan(r);
    for (auto& i : page.items) out.emplace(canonical_encoding(i), i);
    if (page.last_evaluated_key.empty()) break;
    r.exclusive_start_key = page.last_evaluated_key;
  }
  return out;
}

class Migrate : public testing::Test {
 protected:
  void SetUp() override {
    t_ = tables();
    schemas_ = t_.schemas();
    schemas_.push_back({t_.jobs, {"queue", store::AttrType::S, "id", store::AttrType::S}});
    for (auto& s : schemas_) from_->ensure_table(s);
    for (int i = 0; i < 230; ++i) {
      Item user = store::testing::item_of_every_type();
      user["user_id"] = AV::S("user-" + std::to_string(i));
      user["score"] = AV::N("1234567890123456789012345678.12345678" + std::to_string(i % 10));
      from_->put({t_.users, user});
    }
    for (int i = 0; i < 40; ++i)
      from_->put({t_.reports, {{"id", AV::S("r" + std::to_string(i))}, {"user_id", AV::S("user-1")},
                               {"created_at", AV::S("2026-01-01T00:00:00.0" + std::to_string(10 + i) + "Z")},
                               {"favorites", AV::L({AV::S("p1"), AV::S("p2")})}}});
    for (int i = 0; i < 30; ++i)
      from_->put({t_.embeddings, {{"product_id", AV::S("p" + std::to_string(i))}, {"model_version", AV::S("k9-classic-1")},
                                  {"embedding_vector", AV::B(std::string(16, char(i)))}, {"vector_dimension", AV::N(4)}}});
    options_.tables = schemas_;
    options_.from_label = "sqlite:from";
    options_.to_label = "sqlite:to";
    options_.embeddings_table = t_.embeddings;
    options_.page_size = 17;  // many pages, batches that end inside pages
  }

  size_t total() const { return 230 + 40 + 30; }

  void expect_same_tables() {
    for (auto& s : schemas_) EXPECT_EQ(contents(*to_, s.name), contents(*from_, s.name)) << s.name;
  }

  testkit::TempDir dir_{"migrate"};
  std::unique_ptr<store::Store> from_ = std::make_unique<store::sqlite::SqliteStore>((dir_ / "from.db").string());
  std::unique_ptr<store::Store> to_ = std::make_unique<store::sqlite::SqliteStore>((dir_ / "to.db").string());
  repo::Tables t_;
  std::vector<store::TableSchema> schemas_;
  MigrationOptions options_;
};

TEST_F(Migrate, CopiesEveryTableAndVerifiesIt) {
  std::vector<std::pair<uint64_t, uint64_t>> progress;
  options_.on_progress = [&](uint64_t done, uint64_t total) { progress.emplace_back(done, total); };
  auto result = migrate(*from_, *to_, options_);
  EXPECT_EQ(result.copied, total());
  EXPECT_FALSE(result.resumed);
  ASSERT_EQ(result.tables.size(), schemas_.size());
  for (auto& t : result.tables) {
    EXPECT_EQ(t.source, t.target) << t.table;
    EXPECT_TRUE(t.in_source) << t.table;
  }
  EXPECT_EQ(result.tables[0].target.count(), 230u);
  expect_same_tables();
  // Indexes work on the copy: the target's tables were made with K9's schemas.
  EXPECT_EQ(to_->count({t_.reports, repo::kUserReportsIndex, AV::S("user-1")}), 40u);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), std::make_pair(uint64_t(total()), uint64_t(total())));
  for (auto& [done, all] : progress) EXPECT_LE(done, all);
}

TEST_F(Migrate, SecondRunWritesTheSameItemsAndChangesNothing) {
  auto first = migrate(*from_, *to_, options_);
  auto second = migrate(*from_, *to_, options_);  // no --merge: the target holds only the source's items
  EXPECT_EQ(second.copied, total());
  for (size_t i = 0; i < first.tables.size(); ++i) EXPECT_EQ(second.tables[i].target, first.tables[i].target);
  expect_same_tables();
}

TEST_F(Migrate, TargetWithOtherDataIsRefusedUnlessMerge) {
  for (auto& s : schemas_) to_->ensure_table(s);
  Item stranger{{"user_id", AV::S("stranger")}, {"name", AV::S("not in the source")}};
  to_->put({t_.users, stranger});
  try {
    migrate(*from_, *to_, options_);
    FAIL() << "a target with other data was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::conflict);
    EXPECT_NE(e.message().find("holds other data"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find(t_.users), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("stranger"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("--merge"), std::string::npos) << e.message();
  }
  EXPECT_EQ(contents(*to_, t_.users).size(), 1u) << "nothing written";
  EXPECT_TRUE(contents(*to_, t_.reports).empty());

  // An item of the source changed in the target is other data too.
  to_->remove({t_.users, {{"user_id", AV::S("stranger")}}});
  Item changed = *from_->get(t_.users, {{"user_id", AV::S("user-7")}});
  changed["name"] = AV::S("changed in the target");
  to_->put({t_.users, changed});
  EXPECT_THROW(migrate(*from_, *to_, options_), Error);

  to_->put({t_.users, stranger});
  options_.merge = true;
  auto result = migrate(*from_, *to_, options_);
  EXPECT_EQ(result.copied, total());
  auto users = contents(*to_, t_.users);
  EXPECT_EQ(users.size(), 231u);
  EXPECT_EQ(to_->get(t_.users, {{"user_id", AV::S("stranger")}}), stranger) << "merge keeps the target's items";
  EXPECT_EQ(to_->get(t_.users, {{"user_id", AV::S("user-7")}}), from_->get(t_.users, {{"user_id", AV::S("user-7")}}));
}

TEST_F(Migrate, InterruptedRunResumesFromItsCheckpoint) {
  options_.checkpoint = dir_ / "migrate.checkpoint";
  options_.writers = 1;  // a checkpoint every batch or so: the run stops early in the first table
  options_.checkpoint_interval = std::chrono::milliseconds(0);
  int batches = 0;
  struct Interrupted {};
  options_.after_batch = [&] {
    if (++batches == 3) throw Interrupted{};  // every table ends with one at least: 4 of them hold items
  };
  EXPECT_THROW(migrate(*from_, *to_, options_), Interrupted);
  auto saved = Checkpoint::load(options_.checkpoint);
  ASSERT_TRUE(saved);
  EXPECT_FALSE(saved->table.empty());
  EXPECT_FALSE(saved->cursor.empty());
  size_t copied_before = 0;
  for (auto& s : schemas_)
    if (to_->describe_table(s.name)) copied_before += contents(*to_, s.name).size();
  // Batches under way when the run stopped may be in the target beyond the checkpoint.
  EXPECT_LE(saved->copied, copied_before);
  EXPECT_GT(saved->copied, 0u);
  EXPECT_LT(copied_before, total());

  options_.after_batch = nullptr;
  options_.writers = 8;
  std::vector<std::string> said;
  options_.on_message = [&](const std::string& line) { said.push_back(line); };
  auto result = migrate(*from_, *to_, options_);
  EXPECT_TRUE(result.resumed);
  EXPECT_EQ(result.copied, total() - saved->copied) << "the resumed run starts after the checkpoint";
  expect_same_tables();
  EXPECT_FALSE(std::filesystem::exists(options_.checkpoint)) << "removed once verified";
  bool told = false;
  for (auto& l : said) told = told || l.find("resuming") != std::string::npos;
  EXPECT_TRUE(told);
}

TEST_F(Migrate, DamagedOrForeignCheckpointIsRefusedBeforeAnythingIsWritten) {
  options_.checkpoint = dir_ / "bad.checkpoint";
  for (std::string text : {std::string("{\"format\":\"k9-migrate-checkpoint\",\"version\":1,\"from\""), std::string("\x01\x02"),
                           std::string("{\"format\":\"other\",\"version\":1}")}) {
    std::ofstream(options_.checkpoint, std::ios::binary | std::ios::trunc) << text;
    try {
      migrate(*from_, *to_, options_);
      FAIL() << "accepted checkpoint " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_request);
      EXPECT_NE(e.message().find(options_.checkpoint.string()), std::string::npos) << e.message();
    }
  }
  Checkpoint other{"sqlite:elsewhere", "sqlite:to", {}, "", {}, 0};
  other.save(options_.checkpoint);
  try {
    migrate(*from_, *to_, options_);
    FAIL() << "accepted another migration's checkpoint";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("another migration"), std::string::npos) << e.message();
  }
  EXPECT_FALSE(to_->describe_table(t_.users)) << "the target was not touched";
}

TEST_F(Migrate, DigestsCatchOneChangedNumber) {
  migrate(*from_, *to_, options_);
  auto before = compare_table(*from_, *to_, t_.users, options_);
  EXPECT_EQ(before.source, before.target);
  Item item = *to_->get(t_.users, {{"user_id", AV::S("user-3")}});
  std::string n = item.at("score").n();
  item["score"] = AV::N(n + "1");  // one more digit at the 38th place
  to_->put({t_.users, item});
  auto after = compare_table(*from_, *to_, t_.users, options_);
  EXPECT_EQ(after.source.count(), after.target.count());
  EXPECT_NE(after.source, after.target) << "a changed number must change the digest";
  EXPECT_NE(after.source.hex(), after.target.hex());
}

TEST(TableDigest, IgnoresOrderAndNumberSpellingButNotValues) {
  Item a{{"id", AV::S("a")}, {"n", AV::N("1.50")}, {"ns", AV::NS({"2", "1"})}};
  Item b{{"id", AV::S("b")}, {"n", AV::N("1.5")}, {"m", AV::M({{"x", AV::L({AV::N("0.0")})}})}};
  TableDigest ab, ba;
  ab.add(a);
  ab.add(b);
  ba.add(b);
  ba.add(a);
  EXPECT_EQ(ab, ba);
  EXPECT_EQ(ab.count(), 2u);
  Item a2 = a;
  a2["n"] = AV::N("1.5");
  TableDigest same;
  same.add(b);
  same.add(a2);
  EXPECT_EQ(same, ab) << "1.50 and 1.5 are one number";
  a2["n"] = AV::N("1.5000000000000000000000000000000000001");
  TableDigest other;
  other.add(b);
  other.add(a2);
  EXPECT_NE(other, ab);
  EXPECT_EQ(ab.hex().size(), 64u);
  TableDigest part_a, part_b;  // a table read in two segments
  part_a.add(b);
  part_b.add(a);
  part_a.merge(part_b);
  EXPECT_EQ(part_a, ab);
}

TEST_F(Migrate, PythonGenerationEmbeddingsGetSpecsKey) {
  testkit::TempDir legacy_dir{"migrate-legacy"};
  store::sqlite::SqliteStore legacy((legacy_dir / "legacy.db").string());
  legacy.ensure_table({t_.embeddings, {"product_id", store::AttrType::S}});  // the Python generation's key
  legacy.put({t_.embeddings, {{"product_id", AV::S("old-1")},
                              {"embedding_vector", AV::L({AV::N("0.125"), AV::N("-1.5"), AV::N("3.25")})},
                              {"vector_dimension", AV::N(3)}, {"created_at", AV::S("2025-01-02T03:04:05.678Z")}}});
  legacy.put({t_.embeddings, {{"product_id", AV::S("old-2")}, {"model_version", AV::S("py-2")},
                              {"embedding_vector", AV::L({AV::N("1"), AV::N("2")})}, {"vector_dimension", AV::N(2)}}});
  options_.legacy_embeddings_model = "python-v0";
  auto result = migrate(legacy, *to_, options_);
  EXPECT_EQ(result.copied, 2u);
  auto got = to_->get(t_.embeddings, {{"product_id", AV::S("old-1")}, {"model_version", AV::S("python-v0")}});
  ASSERT_TRUE(got) << "keyed product_id + the legacy model version";
  EXPECT_EQ(got->at("embedding_vector").l().at(2), AV::N("3.25"));
  auto e = repo::EmbeddingRepository::from_item(*got);
  EXPECT_EQ(e.dimension, 3u);
  EXPECT_EQ(e.vectors, (std::vector<float>{0.125f, -1.5f, 3.25f}));
  EXPECT_TRUE(to_->get(t_.embeddings, {{"product_id", AV::S("old-2")}, {"model_version", AV::S("py-2")}}))
      << "an item with its own model_version keeps it";
  EXPECT_EQ(to_->count({t_.embeddings, repo::kModelVersionIndex, AV::S("python-v0")}), 1u);
  for (auto& t : result.tables)
    if (t.table != t_.embeddings) EXPECT_FALSE(t.in_source) << t.table;
  // A second run finds the rewritten items its own, not other data.
  EXPECT_EQ(migrate(legacy, *to_, options_).copied, 2u);
}

}  // namespace
}  // namespace k9::migrate
