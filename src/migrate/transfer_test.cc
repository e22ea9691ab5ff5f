// k9 export's layout and k9 import's staging on real SQLite stores: a store exported and
// imported comes back equal attribute for attribute; the DuckDB generation's JSON lines read
// through K9's own repositories; every bad folder refused naming the file (and line or
// item), the target unchanged.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "core/error.h"
#include "migrate/export_tables.h"
#include "migrate/item_digest.h"
#include "migrate/migration.h"
#include "migrate/staging.h"
#include "repo/embedding_repository.h"
#include "repo/report_repository.h"
#include "repo/tables.h"
#include "repo/user_repository.h"
#include "store/sqlite/sqlite_store.h"
#include "store/test_items.h"
#include "testing/base/temp_dir.h"

namespace k9::migrate {
namespace {

namespace fs = std::filesystem;
using store::Item;
using AV = store::AttributeValue;

class Transfer : public testing::Test {
 protected:
  void SetUp() override {
    t_ = repo::Tables::from_env([](const char*) -> const char* { return nullptr; });
    for (auto& s : t_.schemas()) {
      schemas_.push_back(s);
      from_->ensure_table(s);
    }
    for (auto& [kind, name] : t_.by_kind())
      for (auto& s : schemas_)
        if (s.name == name) staging_options_.tables.push_back({kind, s});
    staging_options_.legacy_embeddings_model = kLegacyEmbeddingsModel;
  }
  void fill() {
    for (int i = 0; i < 130; ++i) {
      Item user = store::testing::item_of_every_type();
      user["user_id"] = AV::S("user-" + std::to_string(i));
      from_->put({t_.users, user});
    }
    for (int i = 0; i < 12; ++i)
      from_->put({t_.embeddings, {{"product_id", AV::S("p" + std::to_string(i))}, {"model_version", AV::S("k9-classic-1")},
                                  {"embedding_vector", AV::B(std::string(16, char(i)))}, {"vector_dimension", AV::N(4)}}});
  }
  // Per table, its digest: what "unchanged" and "equal" are checked against.
  std::map<std::string, std::string> digests(store::Store& s) {
    std::map<std::string, std::string> out;
    for (auto& schema : schemas_) {
      TableDigest d;
      if (s.describe_table(schema.name)) {
        Item cursor;
        for (int pages = 0; pages < 10000; ++pages) {
          auto page = s.scan({schema.name, 0, cursor});
          for (auto& i : page.items) d.add(i);
          if (page.last_evaluated_key.empty()) break;
          cursor = page.last_evaluated_key;
        }
      }
      out[schema.name] = std::to_string(d.count()) + " " + d.hex();
    }
    return out;
  }
  ExportOptions export_options(uint64_t per_file = 50) {
    ExportOptions o;
    o.tables = t_.by_kind();
    o.items_per_file = per_file;
    return o;
  }
  // import, as k9 import runs it.
  void import(const fs::path& dir, bool merge = false) {
    MigrationOptions m;
    m.tables = schemas_;
    m.from_label = "import " + dir.string();
    m.to_label = "sqlite:to";
    m.merge = merge;
    import_folder(dir, *to_, staging_options_, m, dir_.path());
  }
  // The message of the Error that `f` throws, the target's tables unchanged by it.
  template <class F>
  std::string refused(F f) {
    auto before = digests(*to_);
    try {
      f();
    } catch (const Error& e) {
      EXPECT_EQ(digests(*to_), before) << "the target changed";
      return e.message();
    }
    ADD_FAILURE() << "not refused";
    return "";
  }
  static void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  }

  testkit::TempDir dir_{"transfer"};
  repo::Tables t_;
  std::vector<store::TableSchema> schemas_;
  StagingOptions staging_options_;
  std::unique_ptr<store::Store> from_ = std::make_unique<store::sqlite::SqliteStore>((dir_ / "from.db").string());
  std::unique_ptr<store::Store> to_ = std::make_unique<store::sqlite::SqliteStore>((dir_ / "to.db").string());
};

TEST_F(Transfer, ExportThenImportGivesBackEveryItemExactly) {
  fill();
  auto exported = export_tables(*from_, dir_ / "export", export_options());
  ASSERT_EQ(exported.size(), 4u);  // the four tables the store has; no folder for the others
  EXPECT_TRUE(fs::exists(dir_ / "export" / "users" / "AWSDynamoDB"));
  EXPECT_FALSE(fs::exists(dir_ / "export" / "jobs"));
  EXPECT_EQ(folder_kind(dir_ / "export"), FolderKind::k9_export);
  import(dir_ / "export");
  EXPECT_EQ(digests(*to_), digests(*from_));
  // Again: nothing added, nothing changed (the same items are not "other data").
  import(dir_ / "export");
  EXPECT_EQ(digests(*to_), digests(*from_));
}

TEST_F(Transfer, ExportWantsANewOrEmptyFolder) {
  fill();
  write(dir_ / "busy" / "notes.txt", "mine");
  try {
    export_tables(*from_, dir_ / "busy", export_options());
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("holds files already"), std::string::npos) << e.message();
  }
  // Nothing written beside what was there.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "busy"), fs::directory_iterator()), 1);
}

TEST_F(Transfer, OneTableExportedByDynamoDbGoesWhereItIsTold) {
  fill();
  export_tables(*from_, dir_ / "export", export_options());
  fs::path users = dir_ / "export" / "users";
  EXPECT_EQ(folder_kind(users), FolderKind::table_export);
  EXPECT_NE(refused([&] { import(users); }).find("name the table it goes to"), std::string::npos);
  staging_options_.table = "bogus";
  EXPECT_NE(refused([&] { import(users); }).find("not a table K9 has"), std::string::npos);
  staging_options_.table = "users";
  import(users);
  EXPECT_EQ(digests(*to_)[t_.users], digests(*from_)[t_.users]);
}

TEST_F(Transfer, ADamagedExportIsRefusedBeforeTheTargetIsTouched) {
  fill();
  export_tables(*from_, dir_ / "export", export_options(20));
  // One data file of the users table cut short.
  fs::path data;
  for (auto& e : fs::recursive_directory_iterator(dir_ / "export" / "users"))
    if (e.path().extension() == ".gz") data = e.path();
  auto size = fs::file_size(data);
  fs::resize_file(data, size / 2);
  std::string m = refused([&] { import(dir_ / "export"); });
  EXPECT_NE(m.find(data.string()), std::string::npos) << m;
  // A folder that is not a table.
  fs::resize_file(data, 0);
  fs::remove_all(dir_ / "export" / "users");
  fs::create_directories(dir_ / "export" / "photos" / "AWSDynamoDB" / "x");
  m = refused([&] { import(dir_ / "export"); });
  EXPECT_NE(m.find("photos: not a table K9 has"), std::string::npos) << m;
  EXPECT_NE(refused([&] { import(dir_ / "nothing-here"); }).find("not a folder"), std::string::npos);
}

TEST_F(Transfer, ATargetWithOtherDataNeedsMerge) {
  fill();
  export_tables(*from_, dir_ / "export", export_options());
  for (auto& s : schemas_) to_->ensure_table(s);
  to_->put({t_.users, {{"user_id", AV::S("someone-else")}, {"name", AV::S("Else")}}});
  std::string m = refused([&] { import(dir_ / "export"); });
  EXPECT_NE(m.find("holds other data"), std::string::npos) << m;
  EXPECT_NE(m.find("someone-else"), std::string::npos) << m;
  import(dir_ / "export", /*merge=*/true);
  auto after = digests(*to_);
  EXPECT_EQ(after[t_.embeddings], digests(*from_)[t_.embeddings]);
  EXPECT_TRUE(to_->get(t_.users, {{"user_id", AV::S("someone-else")}}));
  EXPECT_TRUE(to_->get(t_.users, {{"user_id", AV::S("user-7")}}));
}

TEST_F(Transfer, TheDuckDbGenerationReadsThroughK9sRepositories) {
  fs::path dir = dir_ / "duckdb";
  write(dir / "users.json",
        R"({"user_id":"u1","name":"Una","email":"una@example.com","avatar_url":null,)"
        R"("preferences":"{\"defaultReportTitle\":\"Kitchen\",\"autoSaveFavorites\":true,\"exportFormat\":\"csv\"}",)"
        R"("created_at":"2025-01-02 03:04:05.678","updated_at":"2025-01-02 03:04:05.678"})" "\n");
  write(dir / "reports.json",
        R"({"id":"r1","title":"Floor","author":"Una","date":"2025-01-02","user_id":"u1",)"
        R"("reference":"{\"id\":\"ref-1\",\"model\":\"Oak\",\"category\":{\"type\":\"Plank\"},)"
        R"(\"formats\":[{\"length\":{\"val\":12345678901234567890.5,\"unit\":\"in\"}}]}",)"
        R"("favorites":"[\"p1\",\"p2\"]","created_at":"2025-01-02 03:04:05","updated_at":null})" "\n");
  write(dir / "product_embeddings.json",
        R"({"product_id":"p1","embedding_vector":"[0.25,-1.5,3]","model_version":"k9-classic-1",)"
        R"("vector_dimension":3,"created_at":null})" "\n");
  EXPECT_EQ(folder_kind(dir), FolderKind::duckdb_json);
  import(dir);

  repo::UserRepository users(*to_, t_.users);
  auto u = users.find("u1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->name, "Una");
  EXPECT_EQ(u->preferences.default_report_title, "Kitchen");
  EXPECT_EQ(u->preferences.export_format, "csv");
  EXPECT_EQ(u->created_at, "2025-01-02T03:04:05.678Z");
  repo::ReportRepository reports(*to_, t_, repo::CursorCodec("transfer-test-secret-0123456789"));
  auto r = reports.get("u1", "r1");
  EXPECT_EQ(r.title, "Floor");
  EXPECT_EQ(r.reference.model, "Oak");
  ASSERT_EQ(r.reference.formats.size(), 1u);
  EXPECT_EQ(r.favorites, (std::vector<std::string>{"p1", "p2"}));
  EXPECT_THROW(reports.get("someone-else", "r1"), Error);  // still owned
  repo::EmbeddingRepository embeddings(*to_, t_);
  auto e = embeddings.get("p1", "k9-classic-1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->vectors, (std::vector<float>{0.25f, -1.5f, 3.0f}));
}

TEST_F(Transfer, ADuckDbRowOfAnotherShapeIsNamedByFileAndLine) {
  fs::path dir = dir_ / "duckdb";
  write(dir / "users.json", R"({"user_id":"u1","name":"Una"})" "\n" R"({"user_id":"u2","name":"Two","shoe_size":9})" "\n");
  std::string m = refused([&] { import(dir); });
  EXPECT_NE(m.find((dir / "users.json").string() + ": line 2: column shoe_size"), std::string::npos) << m;
}

}  // namespace
}  // namespace k9::migrate
