// The DuckDB generation's rows, as DuckDB's COPY ... (FORMAT JSON) writes them, to K9's items;
// and each way a row can be of another schema or shape.
#include "generations/duckdb_rows.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "store/item_json.h"

namespace k9::generations {
namespace {

using store::AttributeValue;

std::string error_of(DuckDbTable t, const std::string& line) {
  try {
    item_from_duckdb_row(t, line);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request);
    return e.message();
  }
  return "";
}

TEST(DuckDbRows, TablesByFileName) {
  DuckDbTable t;
  ASSERT_TRUE(duckdb_table_of("users.json", t));
  EXPECT_EQ(t, DuckDbTable::users);
  ASSERT_TRUE(duckdb_table_of("product_embeddings.jsonl", t));
  EXPECT_EQ(t, DuckDbTable::product_embeddings);
  for (auto other : {"products.json", "reports.csv"}) EXPECT_FALSE(duckdb_table_of(other, t)) << other;
}

TEST(DuckDbRows, TimestampsBecomeIsoWithMilliseconds) {
  EXPECT_EQ(iso_timestamp("2025-01-02 03:04:05.678901"), "2025-01-02T03:04:05.678Z");
  EXPECT_EQ(iso_timestamp("2025-01-02 03:04:05"), "2025-01-02T03:04:05.000Z");
  EXPECT_EQ(iso_timestamp("2025-01-02T03:04:05.6Z"), "2025-01-02T03:04:05.600Z");
  for (auto bad : {"2025-01-02", "yesterday", "2025-01-02 03:04:05.", "2025-01-02 03:04:05+02"})
    EXPECT_THROW(iso_timestamp(bad), Error) << bad;
}

TEST(DuckDbRows, AUserKeepsTheGenerationsPreferenceKeys) {
  auto item = item_from_duckdb_row(
      DuckDbTable::users,
      R"({"user_id":"u1","name":"Una","email":null,"avatar_url":"a.png",)"
      R"("preferences":"{\"defaultReportTitle\": \"Kitchen\", \"autoSaveFavorites\": true, \"zoom\": 1.250}",)"
      R"("created_at":"2025-01-02 03:04:05.678","updated_at":null})");
  EXPECT_EQ(item.at("user_id").s(), "u1");
  EXPECT_FALSE(item.contains("email"));  // NULL columns are left out
  EXPECT_FALSE(item.contains("updated_at"));
  auto& prefs = item.at("preferences").m();
  EXPECT_EQ(prefs.at("defaultReportTitle").s(), "Kitchen");
  EXPECT_TRUE(prefs.at("autoSaveFavorites").boolean());
  EXPECT_EQ(prefs.at("zoom").n(), "1.25");  // the exact value (in its canonical form)
  EXPECT_EQ(item.at("created_at").s(), "2025-01-02T03:04:05.678Z");
}

TEST(DuckDbRows, AReportEmbedsItsReferenceProductAsTheApiSpokeIt) {
  auto item = item_from_duckdb_row(
      DuckDbTable::reports,
      R"({"id":"r1","title":"Kitchen","author":"Una","date":"2025-01-02","user_id":"u1",)"
      R"("reference":{"id":"p1","model":"Oak","images":[{"id":"i1","url":"https://x/1.jpg"}],)"
      R"("category":{"type":"Plank","material":"Wood"},"formats":[{"length":{"val":12.50,"unit":"in"}}]},)"
      R"("favorites":"[\"p2\", \"p3\"]","created_at":"2025-01-02 03:04:05","updated_at":"2025-01-03 00:00:00"})");
  auto& ref = item.at("reference").m();
  EXPECT_EQ(ref.at("model").s(), "Oak");
  EXPECT_EQ(ref.at("category").m().at("type").s(), "Plank");
  EXPECT_EQ(ref.at("images").l().at(0).m().at("url").s(), "https://x/1.jpg");
  auto& favorites = item.at("favorites").l();
  ASSERT_EQ(favorites.size(), 2u);
  EXPECT_EQ(favorites[1].s(), "p3");
  EXPECT_EQ(item.at("updated_at").s(), "2025-01-03T00:00:00.000Z");
}

TEST(DuckDbRows, AnEmbeddingGetsTheSpecKeyAndExactNumbers) {
  auto item = item_from_duckdb_row(
      DuckDbTable::product_embeddings,
      R"({"product_id":"p1","embedding_vector":"[0.1, -2.50, 3e-7]","model_version":"k9-classic-1",)"
      R"("vector_dimension":3,"created_at":"2025-01-02 03:04:05.678"})");
  EXPECT_EQ(item.at("product_id").s(), "p1");
  EXPECT_EQ(item.at("model_version").s(), "k9-classic-1");
  auto& v = item.at("embedding_vector").l();
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[1].n(), "-2.5");
  EXPECT_EQ(v[2].n(), "0.0000003");
  EXPECT_EQ(item.at("vector_dimension").n(), "3");
}

TEST(DuckDbRows, RowsOfAnotherSchemaOrShapeAreRefusedNamingTheColumn) {
  using T = DuckDbTable;
  struct Case {
    T table;
    std::string line, says;
  } cases[] = {
      {T::users, R"({"user_id":"u1","name":"Una","nickname":"U"})", "column nickname: not a column of the DuckDB"},
      {T::users, R"({"user_id":"u1"})", "column name: required, missing"},
      {T::users, R"({"user_id":"u1","name":7})", "column name: must be text"},
      {T::users, R"({"user_id":"u1","name":"Una","preferences":"[1]"})", "column preferences: must be a JSON object"},
      {T::users, R"({"user_id":"u1","name":"Una","preferences":"{oops"})", "column preferences: not JSON text"},
      {T::users, R"({"user_id":"u1","name":"Una","created_at":"soon"})", "column created_at: not a timestamp"},
      {T::reports, R"({"id":"r","title":"t","author":"a","date":"d","user_id":"u","reference":{"model":"M","colour":"red"}})",
       "column reference: Unknown field(s): reference.colour"},
      {T::reports, R"({"id":"r","title":"t","author":"a","date":"d","user_id":"u","reference":{},"favorites":"[1]"})",
       "column favorites: must be a JSON array of product ids"},
      {T::product_embeddings, R"({"product_id":"p","embedding_vector":"[1,\"x\"]","model_version":"m","vector_dimension":2})",
       "column embedding_vector: must be a JSON array of numbers"},
      {T::product_embeddings, R"({"product_id":"p","embedding_vector":"[1,2]","model_version":"m","vector_dimension":3})",
       "column vector_dimension: must be the vector's length, 2"},
      {T::product_embeddings, R"({"product_id":"p","embedding_vector":[1,2],"vector_dimension":2})",
       "column model_version: required, missing"},
      {T::reports, "[1,2]", "not a JSON object"},
      {T::reports, "{\"id\":", "not a JSON object"},
  };
  for (auto& c : cases) EXPECT_NE(error_of(c.table, c.line).find(c.says), std::string::npos) << c.line << " -> " << error_of(c.table, c.line);
}

}  // namespace
}  // namespace k9::generations
