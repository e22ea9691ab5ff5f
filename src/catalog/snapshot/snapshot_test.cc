#include "catalog/snapshot/snapshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <fstream>

#include "catalog/snapshot/builder.h"
#include "store/sqlite/sqlite_store.h"

namespace k9::catalog::snapshot {
namespace {

namespace fs = std::filesystem;
using store::AttributeValue;

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("k9-snapshot-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::make_unique<store::sqlite::SqliteStore>((dir_ / "k9.db").string());
    tables_ = repo::Tables::from_env([](const char*) -> const char* { return nullptr; });
    for (auto& s : tables_.schemas()) store_->ensure_table(s);
    products_ = std::make_unique<repo::ProductRepository>(*store_, tables_);
    embeddings_ = std::make_unique<repo::EmbeddingRepository>(*store_, tables_);
    file_ = snapshot_path(dir_, "k9-classic-1");
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void add(const std::string& id, std::vector<float> vectors, const std::string& hash = "h") {
    Product p;
    p.id = id;
    p.brand = "Brand " + id;
    p.model = "M";
    p.category.type = "Tile";
    p.formats.push_back({Dimension{{"12"}, "in"}, Dimension{{"24"}, "in"}, Dimension{{"9.5"}, "mm"},
                         {Vendor{"s1", "A", "n", Dimension{{"19.99"}, "usd"}, false, "u"},
                          Vendor{"s2", "B", "n", Dimension{{"12.5"}, "usd"}, false, "u"}}});
    products_->put(p, hash);
    embeddings_->put({id, "k9-classic-1", 2, std::move(vectors), hash});
  }
  fs::path dir_, file_;
  std::unique_ptr<store::Store> store_;
  repo::Tables tables_;
  std::unique_ptr<repo::ProductRepository> products_;
  std::unique_ptr<repo::EmbeddingRepository> embeddings_;
};

TEST_F(SnapshotTest, HoldsEveryCatalogProductWithItsVectorsAndFilterAttributes) {
  add("b", {1, 2, 3, 4});
  add("a", {5, 6});
  embeddings_->put({"a", "other-version", 1, {9}, ""});
  // A report's reference product with an embedding stays out.
  store_->put({tables_.products, {{"id", AttributeValue::S("ref")}, {"user_id", AttributeValue::S("u")}}});
  embeddings_->put({"ref", "k9-classic-1", 2, {7, 7}, ""});

  auto r = build_snapshot(*products_, *embeddings_, "k9-classic-1", file_);
  EXPECT_EQ(r.products, 2u);
  EXPECT_EQ(r.vectors, 3u);
  auto s = Snapshot::open(file_);
  EXPECT_EQ(s.model_version(), "k9-classic-1");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.dimension(), 2u);
  EXPECT_EQ(s.product_id(0), "a");
  EXPECT_EQ(s.product_id(1), "b");
  EXPECT_EQ(std::vector<float>(s.vectors(0).begin(), s.vectors(0).end()), (std::vector<float>{5, 6}));
  EXPECT_EQ(s.vector(1, 1)[0], 3);
  const auto& rec = s.record(1);
  EXPECT_EQ(s.text(rec.brand), "Brand b");
  EXPECT_EQ(s.text(rec.type), "Tile");
  EXPECT_EQ(s.text(rec.material), "");
  EXPECT_FLOAT_EQ(rec.price_min, 12.5f);
  EXPECT_FLOAT_EQ(rec.price_max, 19.99f);
  EXPECT_FLOAT_EQ(rec.length_mm, 12 * 25.4f);
  EXPECT_FLOAT_EQ(rec.thickness_mm, 9.5f);
}

TEST_F(SnapshotTest, RebuiltOnlyWhenTheCatalogChanges) {
  add("a", {1, 2});
  EXPECT_TRUE(ensure_snapshot(*products_, *embeddings_, "k9-classic-1", file_).rebuilt);
  EXPECT_FALSE(ensure_snapshot(*products_, *embeddings_, "k9-classic-1", file_).rebuilt);
  auto old = Snapshot::open(file_);  // mapped before the rebuild, still readable after it
  add("a", {3, 4}, "h2");
  auto r = ensure_snapshot(*products_, *embeddings_, "k9-classic-1", file_);
  EXPECT_TRUE(r.rebuilt);
  EXPECT_EQ(Snapshot::open(file_).vectors(0)[0], 3);
  EXPECT_EQ(old.vectors(0)[0], 1);
}

TEST_F(SnapshotTest, DamagedFilesAreRefusedWithAReason) {
  add("a", {1, 2});
  build_snapshot(*products_, *embeddings_, "k9-classic-1", file_);
  fs::resize_file(file_, fs::file_size(file_) - 4);
  try {
    Snapshot::open(file_);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos);
  }
  std::ofstream(file_, std::ios::trunc) << std::string(200, 'x');
  EXPECT_THROW(Snapshot::open(file_), std::runtime_error);
  // ensure_snapshot() repairs it.
  EXPECT_TRUE(ensure_snapshot(*products_, *embeddings_, "k9-classic-1", file_).rebuilt);
  EXPECT_EQ(Snapshot::open(file_).size(), 1u);
}

}  // namespace
}  // namespace k9::catalog::snapshot
