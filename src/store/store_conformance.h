// The store conformance suite: one set of tests that every Store implementation passes.
// An adapter's test instantiates it with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance,
//       testing::Values(StoreTarget{"sqlite", [] { return std::make_shared<SqliteStore>(...); }}));
//
// Every test creates its own uniquely named tables, so targets may be shared servers.
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "store/store.h"

namespace k9::store {

struct StoreTarget {
  std::string name;
  std::function<std::shared_ptr<Store>()> open;
};

inline std::string PrintToString(const StoreTarget& t) { return t.name; }

class StoreConformance : public testing::TestWithParam<StoreTarget> {
 protected:
  void SetUp() override;
  // A fresh table "<prefix>-<n>": key id (S), optional sort key.
  std::string make_table(const std::string& prefix, KeySchema key, std::vector<IndexSchema> indexes = {});
  // The items of every page of `q` in order, following last_evaluated_key (at most 10 pages);
  // each page is checked to hold no more than q.limit items.
  std::vector<Item> query_all_pages(QueryRequest q);
  std::shared_ptr<Store> store_;
};

}  // namespace k9::store
