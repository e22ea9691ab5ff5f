// The DuckDB generation's rows as K9's items. That generation kept one DuckDB file
// (/tmp/k9_api.db; ../shared/testdata/duckdb-generation/schema.sql) with tables users,
// reports and product_embeddings; DuckDB writes each as JSON lines
// (COPY (SELECT ...) TO 'users.json' (FORMAT JSON): docs/MIGRATE.md), and these functions
// turn one such row into the item K9 stores, in the shape the Python generation wrote to
// DynamoDB (SPEC section 2), which K9 reads:
//
//   users               user_id, name, email, avatar_url, preferences (map, the generation's
//                       camelCase keys kept), created_at, updated_at
//   reports             id, user_id, title, author, date, reference (the product as a map;
//                       the API's camelCase JSON decoded strictly, as a request body is),
//                       favorites (list of product ids), created_at, updated_at
//   product_embeddings  product_id, model_version (the two make the key), embedding_vector
//                       (list of numbers, exact), vector_dimension, created_at
//
// JSON columns may come as JSON text (a VARCHAR cast: numbers keep every digit) or as nested
// JSON; TIMESTAMP columns (naive UTC, "2025-01-02 03:04:05.678") become ISO-8601 with
// milliseconds; NULL columns are left out. A row with a column the schema lacks, without one
// it requires, or with a value of the wrong type throws k9::Error (bad_request) naming the
// column: the caller adds the file and line.
#pragma once
#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "store/item.h"

namespace k9::generations {

enum class DuckDbTable { users, reports, product_embeddings };

// The table a JSON-lines file holds, from its name ("users.json", "reports.jsonl"...); false
// when the name is none of the three.
bool duckdb_table_of(std::string_view file_name, DuckDbTable& table);

store::Item item_from_duckdb_row(DuckDbTable table, std::string_view line);

// "2025-01-02 03:04:05.678901" (or ...T..., with or without a fraction or a Z) as
// "2025-01-02T03:04:05.678Z"; throws on anything else.
std::string iso_timestamp(std::string_view duckdb_timestamp);

}  // namespace k9::generations
