#include "search/search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/json.h"

namespace k9::search {
namespace {

const float kNaN = std::nanf("");

struct Row {
  std::string id, brand;
  std::array<std::string, kCategoryFieldCount> category;
  float price_min = kNaN, price_max = kNaN;
  std::array<float, kScoreCount> scores;
};

struct Fixture {
  ScoreMatrix m;
  FilterIndex index;
};

// Rows must come in id order.
Fixture make(const std::vector<Row>& rows) {
  Fixture f;
  size_t w = 1;
  for (auto& r : rows) w = std::max(w, r.id.size());
  f.m.id_width = w;
  FilterIndex::Builder b(rows.size());
  for (auto& r : rows) {
    auto id = r.id;
    id.resize(w, '\0');
    f.m.ids += id;
    for (size_t s = 0; s < kScoreCount; ++s) f.m.columns[s].push_back(r.scores[s]);
    std::array<std::string_view, kCategoryFieldCount> cat;
    for (size_t i = 0; i < kCategoryFieldCount; ++i) cat[i] = r.category[i];
    b.add(r.brand, cat, r.price_min, r.price_max);
  }
  f.index = std::move(b).build();
  return f;
}

std::array<float, kScoreCount> scores(float match, float color = kNaN) {
  std::array<float, kScoreCount> s;
  s.fill(kNaN);
  s[size_t(Score::match)] = match;
  s[size_t(Score::color_primary)] = color;
  return s;
}

std::vector<std::string> ids(const Fixture& f, const SearchPage& p) {
  std::vector<std::string> out;
  for (auto r : p.rows) out.emplace_back(f.m.product_id(r));
  return out;
}

SearchQuery query(std::string_view json) { return decode_search_query(parse_json_object(json)); }

std::vector<Row> small() {
  return {
      {"a", "Acme", {"Tile", "Porcelain"}, 10, 20, scores(0.9f, 0.2f)},
      {"b", "acme ", {"tile", "Ceramic"}, 30, 40, scores(0.5f, 0.8f)},
      {"c", "Stone Co", {"Slab", "Marble"}, 100, 300, scores(0.7f, kNaN)},
      {"d", "", {"", "Porcelain"}, kNaN, kNaN, scores(kNaN, 0.6f)},
      {"e", "Zeta", {"Tile", "Porcelain"}, 15, 15, scores(0.9f, 0.9f)},
  };
}

TEST(Search, SortsBySimilarityWithTiesByIdAndMissingLast) {
  auto f = make(small());
  auto p = run_search(f.m, f.index, query("{}"));
  EXPECT_EQ(p.total, 5u);
  EXPECT_EQ(ids(f, p), (std::vector<std::string>{"a", "e", "c", "b", "d"}));
  p = run_search(f.m, f.index, query(R"({"sort": {"field": "similarity", "order": "asc"}})"));
  EXPECT_EQ(ids(f, p), (std::vector<std::string>{"b", "c", "a", "e", "d"}));
}

TEST(Search, FiltersOnCategoryAndBrandCaseInsensitively) {
  auto f = make(small());
  auto p = run_search(f.m, f.index, query(R"({"filters": {"category": {"type": "TILE", "material": ["porcelain"]}}})"));
  EXPECT_EQ(ids(f, p), (std::vector<std::string>{"a", "e"}));
  p = run_search(f.m, f.index, query(R"({"filters": {"brand": ["ACME", "nobody"]}})"));
  EXPECT_EQ(ids(f, p), (std::vector<std::string>{"a", "b"}));
  p = run_search(f.m, f.index, query(R"({"filters": {"brand": "nobody"}})"));
  EXPECT_EQ(p.total, 0u);
  EXPECT_TRUE(p.rows.empty());
  // A product without the attribute passes only with includeMissing.
  p = run_search(f.m, f.index, query(R"({"filters": {"category": {"type": "tile"}, "includeMissing": true}})"));
  EXPECT_EQ(ids(f, p), (std::vector<std::string>{"a", "e", "b", "d"}));
}

TEST(Search, FiltersOnPriceOverlap) {
  auto f = make(small());
  auto p = run_search(f.m, f.index, query(R"({"filters": {"priceRange": {"min": 18, "max": 35}}})"));
  EXPECT_EQ(ids(f, p), (std::vector<std::string>{"a", "b"}));
  p = run_search(f.m, f.index, query(R"({"filters": {"priceRange": {"min": 15, "max": 15}}})"));
  EXPECT_EQ(ids(f, p), (std::vector<std::string>{"a", "e"}));
  p = run_search(f.m, f.index, query(R"({"filters": {"priceRange": {"min": 200}, "includeMissing": true}})"));
  EXPECT_EQ(ids(f, p), (std::vector<std::string>{"c", "d"}));
  p = run_search(f.m, f.index, query(R"({"filters": {"priceRange": {"max": 14.99}}})"));
  EXPECT_EQ(ids(f, p), (std::vector<std::string>{"a"}));
}

TEST(Search, PriceBoundsMatchFloatPrices) {
  auto f = make({{"a", "", {}, 19.99f, 19.99f, scores(1)}});
  EXPECT_EQ(run_search(f.m, f.index, query(R"({"filters": {"priceRange": {"min": 19.99}}})")).total, 1u);
  EXPECT_EQ(run_search(f.m, f.index, query(R"({"filters": {"priceRange": {"max": "19.99"}}})")).total, 1u);
}

TEST(Search, FiltersOnScoreThresholds) {
  auto f = make(small());
  auto p = run_search(f.m, f.index, query(R"({"filters": {"color": {"primary": 0.6}}})"));
  EXPECT_EQ(ids(f, p), (std::vector<std::string>{"e", "b", "d"}));
  p = run_search(f.m, f.index, query(R"({"filters": {"color": {"primary": 0.6}, "includeMissing": true}})"));
  EXPECT_EQ(ids(f, p), (std::vector<std::string>{"e", "c", "b", "d"}));
  p = run_search(f.m, f.index, query(R"({"filters": {"similarity": {"threshold": 0.7}, "color": {"primary": 0.1}}})"));
  EXPECT_EQ(ids(f, p), (std::vector<std::string>{"a", "e"}));
  // threshold 0 filters nothing, missing scores included
  p = run_search(f.m, f.index, query(R"({"filters": {"similarity": {"threshold": 0}}})"));
  EXPECT_EQ(p.total, 5u);
}

TEST(Search, SortsByGroupPriceAndBrand) {
  auto f = make(small());
  EXPECT_EQ(ids(f, run_search(f.m, f.index, query(R"({"sort": "color"})"))),
            (std::vector<std::string>{"e", "b", "d", "a", "c"}));
  EXPECT_EQ(ids(f, run_search(f.m, f.index, query(R"({"sort": "price"})"))),
            (std::vector<std::string>{"a", "e", "b", "c", "d"}));
  EXPECT_EQ(ids(f, run_search(f.m, f.index, query(R"({"sort": {"field": "price", "order": "desc"}})"))),
            (std::vector<std::string>{"c", "b", "e", "a", "d"}));
  EXPECT_EQ(ids(f, run_search(f.m, f.index, query(R"({"sort": "brand"})"))),
            (std::vector<std::string>{"a", "b", "c", "e", "d"}));
  EXPECT_EQ(ids(f, run_search(f.m, f.index, query(R"({"sort": {"field": "brand", "order": "desc"}})"))),
            (std::vector<std::string>{"e", "c", "a", "b", "d"}));
}

TEST(Search, Pages) {
  auto f = make(small());
  auto p = run_search(f.m, f.index, query(R"({"page": 2, "limit": 2})"));
  EXPECT_EQ(p.total, 5u);
  EXPECT_EQ(p.page, 2);
  EXPECT_EQ(p.limit, 2);
  EXPECT_EQ(ids(f, p), (std::vector<std::string>{"c", "b"}));
  EXPECT_EQ(ids(f, run_search(f.m, f.index, query(R"({"page": 3, "limit": 2})"))), std::vector<std::string>{"d"});
  p = run_search(f.m, f.index, query(R"({"page": 1000000000, "limit": 100})"));
  EXPECT_EQ(p.total, 5u);
  EXPECT_TRUE(p.rows.empty());
}

TEST(Search, RefusesAMatrixOfAnotherSnapshot) {
  auto f = make(small());
  auto other = make({small()[0]});
  EXPECT_THROW(run_search(f.m, other.index, query("{}")), std::logic_error);
  f.m.columns[4].pop_back();
  EXPECT_THROW(run_search(f.m, f.index, query("{}")), std::logic_error);
}

// The reference: filter every row, then a full stable sort.
std::vector<uint32_t> naive(const std::vector<Row>& rows, const SearchQuery& q, size_t& total) {
  auto has = [](const std::vector<std::string>& set, const std::string& raw) {
    auto v = normalise_value(raw);
    return std::find(set.begin(), set.end(), v) != set.end();
  };
  std::vector<uint32_t> pass;
  for (uint32_t i = 0; i < rows.size(); ++i) {
    auto& r = rows[i];
    bool ok = true;
    for (size_t c = 0; c < kCategoryFieldCount; ++c)
      if (!q.category[c].empty())
        ok = ok && (normalise_value(r.category[c]).empty() ? q.include_missing : has(q.category[c], r.category[c]));
    if (!q.brands.empty()) ok = ok && (normalise_value(r.brand).empty() ? q.include_missing : has(q.brands, r.brand));
    if (q.price_min || q.price_max) {
      if (std::isnan(r.price_min)) ok = ok && q.include_missing;
      else ok = ok && r.price_max >= float(q.price_min.value_or(-1e30)) && r.price_min <= float(q.price_max.value_or(1e30));
    }
    for (size_t s = 0; s < kScoreCount; ++s)
      if (q.min_score[s])
        ok = ok && (std::isnan(r.scores[s]) ? q.include_missing : r.scores[s] >= *q.min_score[s]);
    if (ok) pass.push_back(i);
  }
  total = pass.size();
  auto key = [&](uint32_t i) -> double {  // NaN = missing
    auto& r = rows[i];
    auto mean = [&](std::initializer_list<Score> g) {
      float sum = 0;
      int n = 0;
      for (auto s : g)
        if (!std::isnan(r.scores[size_t(s)])) sum += r.scores[size_t(s)], ++n;
      return n ? double(sum / float(n)) : NAN;
    };
    switch (q.sort) {
      case SortField::similarity: return r.scores[size_t(Score::match)];
      case SortField::color: return mean({Score::color_primary, Score::color_secondary, Score::color_tertiary});
      case SortField::pattern: return mean({Score::pattern_primary, Score::pattern_secondary, Score::pattern_tertiary});
      case SortField::type: return mean({Score::type_type, Score::type_material});
      case SortField::shape: return mean({Score::shape_length, Score::shape_width, Score::shape_thickness});
      case SortField::price: return r.price_min;
      case SortField::brand: return NAN;
    }
    return NAN;
  };
  std::stable_sort(pass.begin(), pass.end(), [&](uint32_t a, uint32_t b) {
    if (q.sort == SortField::brand) {
      auto x = normalise_value(rows[a].brand), y = normalise_value(rows[b].brand);
      if (x.empty() != y.empty()) return y.empty();
      if (x.empty()) return false;
      return q.order == SortOrder::asc ? x < y : x > y;
    }
    double x = key(a), y = key(b);
    if (std::isnan(x) != std::isnan(y)) return std::isnan(y);
    if (std::isnan(x)) return false;
    return q.order == SortOrder::asc ? x < y : x > y;
  });
  size_t off = size_t(q.page - 1) * size_t(q.limit);
  if (off >= pass.size()) return {};
  return {pass.begin() + ptrdiff_t(off), pass.begin() + ptrdiff_t(std::min(pass.size(), off + size_t(q.limit)))};
}

TEST(Search, AgreesWithAFullSortOnRandomQueries) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> u(0, 1);
  const char* brands[] = {"Acme", "acme", "Stone Co", "Zeta", "", "Beta "};
  const char* types[] = {"Tile", "Slab", "Plank", ""};
  const char* materials[] = {"Porcelain", "Ceramic", "Oak", "Marble", ""};
  std::vector<Row> rows(3000);
  for (size_t i = 0; i < rows.size(); ++i) {
    auto& r = rows[i];
    char id[32];
    std::snprintf(id, sizeof id, "p%05zu", i);
    r.id = id;
    r.brand = brands[rng() % 6];
    r.category[0] = types[rng() % 4];
    r.category[1] = materials[rng() % 5];
    if (rng() % 10) {
      r.price_min = float(int(u(rng) * 50));  // coarse: many ties
      r.price_max = r.price_min + float(int(u(rng) * 20));
    }
    for (auto& s : r.scores) s = rng() % 8 ? float(int(u(rng) * 20)) / 20 : kNaN;  // ties, missing
  }
  auto f = make(rows);
  const char* sorts[] = {"similarity", "color", "pattern", "type", "shape", "price", "brand"};
  for (int i = 0; i < 400; ++i) {
    std::string j = R"({"filters": {)";
    if (rng() % 2) j += R"("category": {"type": ["tile", "SLAB"]}, )";
    if (rng() % 3 == 0) j += R"("category": {"material": "porcelain"}, )";
    if (rng() % 3 == 0) j += R"("brand": ["acme", "zeta"], )";
    if (rng() % 3 == 0) j += R"("priceRange": {"min": )" + std::to_string(rng() % 30) + R"(, "max": 40}, )";
    if (rng() % 2) j += R"("similarity": {"threshold": )" + std::to_string(u(rng) * 0.8) + "}, ";
    if (rng() % 3 == 0) j += R"("color": {"primary": 0.3, "secondary": 0.2}, )";
    if (rng() % 4 == 0) j += R"("shape": {"thickness": 0.5}, )";
    j += std::string(R"("includeMissing": )") + (rng() % 2 ? "true" : "false") + "}, ";
    j += std::string(R"("sort": {"field": ")") + sorts[rng() % 7] + R"(", "order": ")" + (rng() % 2 ? "asc" : "desc") + "\"}, ";
    int limit = 1 + int(rng() % 100);
    int page = 1 + int(rng() % (rng() % 4 == 0 ? 60 : 3));
    j += R"("page": )" + std::to_string(page) + R"(, "limit": )" + std::to_string(limit) + "}";
    auto q = query(j);
    size_t total = 0;
    auto want = naive(rows, q, total);
    auto got = run_search(f.m, f.index, q);
    ASSERT_EQ(got.total, total) << j;
    ASSERT_EQ(got.rows, want) << j;
  }
}

}  // namespace
}  // namespace k9::search
