// Internal to src/store/sqlite: query planning. A Query (store/store.h) as SQL on a table's
// key columns or one index's (table_catalog.h): the key condition as a WHERE clause on the
// order-preserving encoded keys, and one page's SELECT with its cursor, order and limit.
#pragma once
#include <string>
#include <vector>

#include "store/sqlite/table_catalog.h"

namespace k9::store::sqlite {

// WHERE clause and parameters of a query, without the cursor.
struct QueryPlan {
  std::string pk_col, sk_col, order;
  std::string where;
  std::vector<std::string> params;
  const IndexSchema* index = nullptr;
};

QueryPlan plan_query(const SqliteStore::Table& t, const QueryRequest& r);

// One page of `r`: plan_query's WHERE, after the exclusive start key, in the asked order, one
// row more than the limit (that row says another page follows).
struct PageQuery {
  std::string sql;
  std::vector<std::string> params;
  const IndexSchema* index = nullptr;
};
PageQuery plan_page(const SqliteStore::Table& t, const QueryRequest& r);

}  // namespace k9::store::sqlite
