#include "repo/embedding_repository.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "repo/product_repository.h"
#include "testing/base/temp_dir.h"
#include "testing/store/sqlite_on_disk.h"

namespace k9::repo {
namespace {

using store::AttributeValue;

class EmbeddingRepositoryTest : public ::testing::Test {
 protected:
  testkit::TempDir dir_{"embedding"};
  Tables tables_ = testkit::default_tables();
  std::unique_ptr<store::Store> store_ = testkit::open_sqlite(dir_.path(), tables_);
};

TEST(Float32Le, ExactRoundTripAndByteOrder) {
  std::vector<float> v{1.0f, -2.5f, 3.1415927f, 1e-30f};
  std::string bytes = encode_float32_le(v);
  ASSERT_EQ(bytes.size(), 16u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\x00\x00\x80\x3f", 4));  // 1.0f, least significant byte first
  EXPECT_EQ(decode_float32_le(bytes), v);
  EXPECT_THROW(decode_float32_le("abc"), std::invalid_argument);
}

TEST_F(EmbeddingRepositoryTest, VersionsCoexistAndBinaryVectorsRoundTrip) {
  EmbeddingRepository repo(*store_, tables_);
  repo.put({"p1", "k9-classic-1", 3, {1, 2, 3, 4, 5, 6}, "hash-a"});
  repo.put({"p1", "k9-next-2", 2, {9, 8}, ""});
  auto a = repo.get("p1", "k9-classic-1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->count(), 2u);
  EXPECT_EQ(a->vectors, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(a->source_hash, "hash-a");
  EXPECT_EQ(a->created_at.size(), 24u);
  auto b = repo.get("p1", "k9-next-2");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->dimension, 2u);
  EXPECT_FALSE(repo.get("p2", "k9-classic-1"));
  auto raw = store_->get(tables_.embeddings, {{"product_id", AttributeValue::S("p1")},
                                              {"model_version", AttributeValue::S("k9-classic-1")}});
  EXPECT_EQ((*raw)["embedding_vector"].type(), store::AttrType::B);
  EXPECT_THROW(repo.put({"p3", "v", 4, {1, 2, 3}, ""}), std::invalid_argument);
}

TEST_F(EmbeddingRepositoryTest, ReadsThePythonGenerationsListOfNumbers) {
  store_->put({tables_.embeddings,
               {{"product_id", AttributeValue::S("legacy")},
                {"model_version", AttributeValue::S("random-v0")},
                {"embedding_vector", AttributeValue::L({AttributeValue::N("0.25"), AttributeValue::N("-1.5"),
                                                        AttributeValue::N("3")})},
                {"vector_dimension", AttributeValue::N(3)},
                {"created_at", AttributeValue::S("2025-01-02T03:04:05.678Z")}}});
  EmbeddingRepository repo(*store_, tables_);
  auto e = repo.get("legacy", "random-v0");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->vectors, (std::vector<float>{0.25f, -1.5f, 3.f}));
  EXPECT_EQ(e->count(), 1u);
  EXPECT_EQ(e->created_at, "2025-01-02T03:04:05.678Z");
}

TEST_F(EmbeddingRepositoryTest, ForEachReadsOneVersionInProductOrder) {
  EmbeddingRepository repo(*store_, tables_);
  for (int i = 0; i < 230; ++i) {  // more than one page of 200
    char id[16];
    std::snprintf(id, sizeof id, "p%03d", i);
    repo.put({id, "k9-classic-1", 1, {float(i)}, ""});
    if (i % 10 == 0) repo.put({id, "other", 1, {0}, ""});
  }
  std::vector<std::string> seen;
  repo.for_each("k9-classic-1", [&](const Embedding& e) {
    EXPECT_EQ(e.model_version, "k9-classic-1");
    seen.push_back(e.product_id);
  });
  ASSERT_EQ(seen.size(), 230u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

TEST_F(EmbeddingRepositoryTest, CatalogProductsKeepCreationTimeAndNeverOverwriteAReference) {
  ProductRepository products(*store_, tables_);
  Product p;
  p.id = "cat-1";
  p.model = "Oak";
  products.put(p, "h1");
  auto first = products.get("cat-1");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->content_hash, "h1");
  p.model = "Oak 2";
  products.put(p, "h2");
  auto second = products.get("cat-1");
  EXPECT_EQ(second->product.model, "Oak 2");
  EXPECT_EQ(second->created_at, first->created_at);
  store_->put({tables_.products, {{"id", AttributeValue::S("ref-1")}, {"user_id", AttributeValue::S("alice")},
                                  {"model", AttributeValue::S("Mine")}}});
  p.id = "ref-1";
  EXPECT_THROW(products.put(p, "h"), Error);
  EXPECT_FALSE(products.get("ref-1"));
  EXPECT_EQ(store_->get(tables_.products, {{"id", AttributeValue::S("ref-1")}})->at("model").s(), "Mine");
}

}  // namespace
}  // namespace k9::repo
