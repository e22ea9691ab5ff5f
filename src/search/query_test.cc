#include "search/query.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/json.h"

namespace k9::search {
namespace {

SearchQuery decode(std::string_view text) { return decode_search_query(parse_json_object(text)); }

void expect_bad(std::string_view text, const std::string& needle) {
  try {
    decode(text);
    ADD_FAILURE() << text << " accepted; expected 400 naming " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request) << text;
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << text << " -> " << e.what();
  }
}

TEST(SearchQuery, DefaultsWhenEmpty) {
  auto q = decode("{}");
  EXPECT_EQ(q.page, 1);
  EXPECT_EQ(q.limit, 20);
  EXPECT_EQ(q.sort, SortField::similarity);
  EXPECT_EQ(q.order, SortOrder::desc);
  EXPECT_FALSE(q.include_missing);
  EXPECT_TRUE(q.brands.empty());
  for (auto& c : q.category) EXPECT_TRUE(c.empty());
  for (auto& s : q.min_score) EXPECT_FALSE(s);
  EXPECT_FALSE(q.price_min || q.price_max);
}

TEST(SearchQuery, DecodesEveryFilter) {
  auto q = decode(R"({"filters": {
      "category": {"type": " Tile ", "material": ["Porcelain", "ceramic", "PORCELAIN", ""], "look": null,
                   "texture": [], "finish": "Matte", "edge": "Rectified"},
      "brand": ["Acme", " Stone Co"],
      "priceRange": {"min": 10, "max": "19.99"},
      "similarity": {"threshold": 0.6},
      "color": {"primary": 0.5, "secondary": 0, "tertiary": 1},
      "pattern": {"primary": 0.25},
      "shape": {"length": 0.1, "width": 0.2, "thickness": 0.3},
      "type": {"type": 1, "material": 0.9},
      "includeMissing": true},
    "sort": {"field": "price", "order": "desc"}, "page": 3, "limit": 100})");
  EXPECT_EQ(q.category[size_t(CategoryField::type)], std::vector<std::string>{"tile"});
  EXPECT_EQ(q.category[size_t(CategoryField::material)], (std::vector<std::string>{"porcelain", "ceramic"}));
  EXPECT_TRUE(q.category[size_t(CategoryField::look)].empty());
  EXPECT_TRUE(q.category[size_t(CategoryField::texture)].empty());
  EXPECT_EQ(q.category[size_t(CategoryField::finish)], std::vector<std::string>{"matte"});
  EXPECT_EQ(q.category[size_t(CategoryField::edge)], std::vector<std::string>{"rectified"});
  EXPECT_EQ(q.brands, (std::vector<std::string>{"acme", "stone co"}));
  EXPECT_DOUBLE_EQ(*q.price_min, 10);
  EXPECT_DOUBLE_EQ(*q.price_max, 19.99);
  EXPECT_FLOAT_EQ(*q.min_score[size_t(Score::match)], 0.6f);
  EXPECT_FLOAT_EQ(*q.min_score[size_t(Score::color_primary)], 0.5f);
  EXPECT_FALSE(q.min_score[size_t(Score::color_secondary)]);  // 0: no filter
  EXPECT_FLOAT_EQ(*q.min_score[size_t(Score::color_tertiary)], 1);
  EXPECT_FLOAT_EQ(*q.min_score[size_t(Score::pattern_primary)], 0.25f);
  EXPECT_FALSE(q.min_score[size_t(Score::pattern_secondary)]);
  EXPECT_FLOAT_EQ(*q.min_score[size_t(Score::shape_thickness)], 0.3f);
  EXPECT_FLOAT_EQ(*q.min_score[size_t(Score::type_type)], 1);
  EXPECT_FLOAT_EQ(*q.min_score[size_t(Score::type_material)], 0.9f);
  EXPECT_TRUE(q.include_missing);
  EXPECT_EQ(q.sort, SortField::price);
  EXPECT_EQ(q.order, SortOrder::desc);
  EXPECT_EQ(q.page, 3);
  EXPECT_EQ(q.limit, 100);
}

TEST(SearchQuery, SortForms) {
  EXPECT_EQ(decode(R"({"sort": "brand"})").order, SortOrder::asc);
  EXPECT_EQ(decode(R"({"sort": "price"})").order, SortOrder::asc);
  EXPECT_EQ(decode(R"({"sort": "color"})").sort, SortField::color);
  EXPECT_EQ(decode(R"({"sort": "shape"})").order, SortOrder::desc);
  auto q = decode(R"({"sort": {"field": "similarity", "order": "asc"}})");
  EXPECT_EQ(q.sort, SortField::similarity);
  EXPECT_EQ(q.order, SortOrder::asc);
  EXPECT_EQ(decode(R"({"sort": {"field": "pattern"}})").order, SortOrder::desc);
  EXPECT_EQ(decode(R"({"sort": null, "page": null, "filters": null})").page, 1);
}

TEST(SearchQuery, PriceBoundsAlone) {
  auto q = decode(R"({"filters": {"priceRange": {"min": 5}}})");
  EXPECT_DOUBLE_EQ(*q.price_min, 5);
  EXPECT_FALSE(q.price_max);
  EXPECT_DOUBLE_EQ(*decode(R"({"filters": {"priceRange": {"min": 5, "max": 5.0}}})").price_max, 5);
}

TEST(SearchQuery, RefusesBadInputNamingTheField) {
  expect_bad(R"({"filters": {"color": {"primary": 1.5}}})", "filters.color.primary must be between 0 and 1");
  expect_bad(R"({"filters": {"color": {"primary": -0.1}}})", "filters.color.primary must be between 0 and 1");
  expect_bad(R"({"filters": {"similarity": {"threshold": "x"}}})", "filters.similarity.threshold must be a number");
  expect_bad(R"({"filters": {"shape": {"thickness": true}}})", "filters.shape.thickness must be a number");
  expect_bad(R"({"filters": {"colour": {}}})", "filters.colour");
  expect_bad(R"({"filters": {"color": {"quaternary": 0.5}}})", "filters.color.quaternary");
  expect_bad(R"({"filters": {"category": {"style": "x"}}})", "filters.category.style");
  expect_bad(R"({"extra": 1})", "extra");
  expect_bad(R"({"sort": {"field": "price", "way": "up"}})", "sort.way");
  expect_bad(R"({"filters": {"priceRange": {"min": 20, "max": 10}}})",
             "filters.priceRange.min must not be more than filters.priceRange.max");
  expect_bad(R"({"filters": {"priceRange": {"min": -1}}})", "filters.priceRange.min must be at least 0");
  expect_bad(R"({"filters": {"priceRange": {"max": "cheap"}}})", "filters.priceRange.max must be a number");
  expect_bad(R"({"filters": {"priceRange": 12}})", "filters.priceRange must be an object");
  expect_bad(R"({"page": 0})", "page must be an integer between 1 and 1000000000");
  expect_bad(R"({"page": -3})", "page must be an integer");
  expect_bad(R"({"page": 1.5})", "page must be an integer");
  expect_bad(R"({"page": "2"})", "page must be an integer");
  expect_bad(R"({"page": 1e30})", "page must be an integer");
  expect_bad(R"({"limit": 101})", "limit must be an integer between 1 and 100");
  expect_bad(R"({"limit": 0})", "limit must be an integer between 1 and 100");
  expect_bad(R"({"sort": "colour"})", "sort must be one of similarity, color");
  expect_bad(R"({"sort": {"order": "asc"}})", "sort.field is required");
  expect_bad(R"({"sort": {"field": "price", "order": "up"}})", "sort.order must be asc or desc");
  expect_bad(R"({"sort": 3})", "sort must be a string or an object");
  expect_bad(R"({"filters": {"brand": 3}})", "filters.brand must be a string or an array of strings");
  expect_bad(R"({"filters": {"brand": ["a", 3]}})", "filters.brand[1] must be a string");
  expect_bad(R"({"filters": {"category": {"type": [["tile"]]}}})", "filters.category.type[0] must be a string");
  expect_bad(R"({"filters": {"includeMissing": "yes"}})", "filters.includeMissing must be a boolean");
  expect_bad(R"({"filters": []})", "filters must be an object");
  std::string many = R"({"filters": {"brand": [)";
  for (int i = 0; i < 101; ++i) many += (i ? ",\"b" : "\"b") + std::to_string(i) + "\"";
  expect_bad(many + "]}}", "filters.brand must have at most 100 values");
  expect_bad(R"({"filters": {"brand": ")" + std::string(201, 'x') + "\"}}", "filters.brand must be at most 200 bytes");
}

TEST(SearchQuery, Normalises) {
  EXPECT_EQ(normalise_value("  Porcelain TILE\t"), "porcelain tile");
  EXPECT_EQ(normalise_value("Ébène"), "Ébène");  // ASCII only
  EXPECT_EQ(normalise_value("   "), "");
}

}  // namespace
}  // namespace k9::search
