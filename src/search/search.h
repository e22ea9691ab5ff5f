// Filtered, sorted, paged search over one similarity matrix (SPEC section 3,
// `POST /reports/{id}/search`): the query's filters (search/query.h) are applied column by
// column over the matrix and the snapshot's filter attributes, then only the rows the page
// needs are selected (a bounded heap, or nth_element when the page reaches far), in the
// query's order with ties by product id. No I/O, no allocation per row.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "search/filter_index.h"
#include "search/query.h"
#include "search/score_matrix.h"

namespace k9::search {

struct SearchPage {
  size_t total = 0;  // rows that pass the filters
  int page = 1, limit = 20;
  std::vector<uint32_t> rows;  // this page's rows (matrix = index rows), in order
};

// Throws std::logic_error when the matrix and the index do not have the same rows (or a
// column of the matrix is not size() long): they were not built from the same snapshot.
SearchPage run_search(const ScoreMatrix& matrix, const FilterIndex& index, const SearchQuery& query);

}  // namespace k9::search
