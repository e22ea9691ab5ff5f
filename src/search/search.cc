#include "search/search.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

namespace k9::search {

namespace {

constexpr uint32_t kMissingKey = UINT32_MAX;  // rows without a sort key sort last

// An unsigned key whose order is the float's order (for non-NaN floats).
inline uint32_t ordered(float f) {
  uint32_t b = std::bit_cast<uint32_t>(f + 0.0f);  // -0 -> +0
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

// Keeps, of the candidate rows, those that pass: sel[0..m) becomes the survivors. The first
// filter scans every row (no selection yet).
template <class Pass>
size_t keep(uint32_t* sel, size_t m, bool first, size_t n, Pass pass) {
  size_t j = 0;
  if (first) {
    for (size_t r = 0; r < n; ++r) {
      sel[j] = uint32_t(r);
      j += pass(uint32_t(r)) ? 1 : 0;
    }
  } else {
    for (size_t i = 0; i < m; ++i) {
      uint32_t r = sel[i];
      sel[j] = r;
      j += pass(r) ? 1 : 0;
    }
  }
  return j;
}

// The accept table of a dictionary-encoded attribute: accept[code].
std::vector<uint8_t> accept_table(size_t dictionary_size, bool include_missing, const std::vector<uint32_t>& codes) {
  std::vector<uint8_t> t(dictionary_size, 0);
  t[0] = include_missing;
  for (auto c : codes)
    if (c) t[c] = 1;
  return t;
}

// The smallest k of the candidates' composite keys (sort key << 32 | row), ascending.
template <class Candidates, class Key>
std::vector<uint64_t> smallest(const Candidates& each, size_t count, size_t k, Key key) {
  std::vector<uint64_t> out;
  if (k == 0) return out;
  auto composite = [&](uint32_t r) { return uint64_t(key(r)) << 32 | r; };
  if (k * 8 < count) {
    out.reserve(k);
    each([&](uint32_t r) {
      uint64_t c = composite(r);
      if (out.size() < k) {
        out.push_back(c);
        std::push_heap(out.begin(), out.end());
      } else if (c < out.front()) {
        std::pop_heap(out.begin(), out.end());
        out.back() = c;
        std::push_heap(out.begin(), out.end());
      }
    });
    std::sort_heap(out.begin(), out.end());
  } else {
    out.reserve(count);
    each([&](uint32_t r) { out.push_back(composite(r)); });
    if (k < out.size()) std::nth_element(out.begin(), out.begin() + ptrdiff_t(k), out.end());
    out.resize(k);
    std::sort(out.begin(), out.end());
  }
  return out;
}

}  // namespace

SearchPage run_search(const ScoreMatrix& m, const FilterIndex& index, const SearchQuery& q) {
  const size_t n = m.size();
  if (index.size() != n)
    throw std::logic_error("search: matrix has " + std::to_string(n) + " rows, filter index " +
                           std::to_string(index.size()));
  for (auto& c : m.columns)
    if (c.size() != n) throw std::logic_error("search: a matrix column is not as long as its ids");
  if (n > UINT32_MAX) throw std::logic_error("search: more than 2^32-1 rows");

  SearchPage page;
  page.page = q.page;
  page.limit = q.limit;
  const bool miss = q.include_missing;

  // ---- filter, one column at a time over the surviving rows ----
  std::unique_ptr<uint32_t[]> sel;
  size_t survivors = n;
  bool filtered = false;
  auto apply = [&](auto pass) {
    if (!filtered) sel = std::make_unique_for_overwrite<uint32_t[]>(n);
    survivors = keep(sel.get(), survivors, !filtered, n, pass);
    filtered = true;
  };

  for (size_t f = 0; f < kCategoryFieldCount; ++f) {
    auto& wanted = q.category[f];
    if (wanted.empty()) continue;
    std::vector<uint32_t> codes;
    for (auto& v : wanted) codes.push_back(index.category_code(CategoryField(f), v));
    auto table = accept_table(index.category_values(CategoryField(f)).size(), miss, codes);
    const uint16_t* col = index.category_codes(CategoryField(f)).data();
    const uint8_t* t = table.data();
    apply([=](uint32_t r) { return t[col[r]] != 0; });
  }
  if (!q.brands.empty()) {
    std::vector<uint32_t> codes;
    for (auto& v : q.brands) codes.push_back(index.brand_code(v));
    auto table = accept_table(index.brand_values().size(), miss, codes);
    const uint32_t* col = index.brand_codes().data();
    const uint8_t* t = table.data();
    apply([=](uint32_t r) { return t[col[r]] != 0; });
  }
  if (q.price_min || q.price_max) {
    // Bounds rounded to float as the snapshot's prices were: 19.99 matches a 19.99 price.
    const float lo = q.price_min ? float(*q.price_min) : -std::numeric_limits<float>::infinity();
    const float hi = q.price_max ? float(*q.price_max) : std::numeric_limits<float>::infinity();
    const float* pmin = index.price_min().data();
    const float* pmax = index.price_max().data();
    apply([=](uint32_t r) {
      float a = pmin[r], b = pmax[r];
      if (std::isnan(a)) a = b;
      if (std::isnan(b)) b = a;
      if (std::isnan(a)) return miss;
      return b >= lo && a <= hi;
    });
  }
  for (size_t s = 0; s < kScoreCount; ++s) {
    if (!q.min_score[s]) continue;
    const float t = *q.min_score[s];
    const float* col = m.columns[s].data();
    if (miss) apply([=](uint32_t r) { float v = col[r]; return v >= t || std::isnan(v); });
    else apply([=](uint32_t r) { return col[r] >= t; });
  }
  page.total = survivors;

  // ---- the page: only the first page * limit rows in order are selected ----
  const size_t offset = size_t(q.page - 1) * size_t(q.limit);
  if (offset >= survivors) return page;
  const size_t k = std::min(survivors, offset + size_t(q.limit));

  const uint32_t* selp = sel.get();
  auto each = [&](auto&& f) {
    if (filtered) {
      for (size_t i = 0; i < survivors; ++i) f(selp[i]);
    } else {
      for (size_t r = 0; r < n; ++r) f(uint32_t(r));
    }
  };
  const bool desc = q.order == SortOrder::desc;
  auto float_key = [desc](float v) -> uint32_t {
    if (std::isnan(v)) return kMissingKey;
    return ordered(desc ? -v : v);
  };
  auto mean_key = [&](std::initializer_list<Score> group) {
    std::array<const float*, 3> cols{};
    size_t g = 0;
    for (auto s : group) cols[g++] = m.column(s).data();
    return [=](uint32_t r) {
      float sum = 0;
      int present = 0;
      for (size_t i = 0; i < g; ++i) {
        float v = cols[i][r];
        if (!std::isnan(v)) {
          sum += v;
          ++present;
        }
      }
      return float_key(present ? sum / float(present) : std::numeric_limits<float>::quiet_NaN());
    };
  };

  std::vector<uint64_t> top;
  switch (q.sort) {
    case SortField::similarity: {
      const float* col = m.column(Score::match).data();
      top = smallest(each, survivors, k, [&](uint32_t r) { return float_key(col[r]); });
      break;
    }
    case SortField::color:
      top = smallest(each, survivors, k,
                     mean_key({Score::color_primary, Score::color_secondary, Score::color_tertiary}));
      break;
    case SortField::pattern:
      top = smallest(each, survivors, k,
                     mean_key({Score::pattern_primary, Score::pattern_secondary, Score::pattern_tertiary}));
      break;
    case SortField::type:
      top = smallest(each, survivors, k, mean_key({Score::type_type, Score::type_material}));
      break;
    case SortField::shape:
      top = smallest(each, survivors, k,
                     mean_key({Score::shape_length, Score::shape_width, Score::shape_thickness}));
      break;
    case SortField::price: {
      const float* pmin = index.price_min().data();
      const float* pmax = index.price_max().data();
      top = smallest(each, survivors, k, [&](uint32_t r) { return float_key(std::isnan(pmin[r]) ? pmax[r] : pmin[r]); });
      break;
    }
    case SortField::brand: {
      const uint32_t* codes = index.brand_codes().data();
      const uint32_t* rank = index.brand_rank().data();
      top = smallest(each, survivors, k, [&](uint32_t r) -> uint32_t {
        uint32_t c = codes[r];
        if (c == 0) return kMissingKey;
        return desc ? kMissingKey - 1 - rank[c] : rank[c];
      });
      break;
    }
  }
  page.rows.reserve(top.size() - offset);
  for (size_t i = offset; i < top.size(); ++i) page.rows.push_back(uint32_t(top[i]));
  return page;
}

}  // namespace k9::search
