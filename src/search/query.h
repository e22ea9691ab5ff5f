// The search request of `POST /reports/{id}/search` (SPEC section 3), decoded strictly:
//
//   {filters{category{type,material,look,texture,finish,edge}, brand, priceRange{min,max},
//            similarity{threshold}, color{primary,secondary,tertiary},
//            pattern{primary,secondary,tertiary}, shape{length,width,thickness},
//            type{type,material}, includeMissing},
//    sort?, page?, limit?}
//
// Decisions (the spec is silent):
// - Every field is optional; `null` is the same as absent.
// - category fields and brand take a string or an array of strings (at most 100, each at most
//   200 bytes); a product passes when its value equals any of them, compared after
//   normalise_value() (surrounding white space dropped, ASCII letters lower-cased). Empty
//   strings are ignored, so `""` or `[]` mean "any".
// - Thresholds (similarity.threshold = the match score, color.*, pattern.*, shape.*, type.*)
//   are minimums in [0,1]: a product passes when its score >= the threshold. A threshold of 0
//   is no filter at all (every score passes it, missing ones too).
// - priceRange{min,max}: USD, >= 0, min <= max, either may be left out. A product passes
//   when any of its vendor prices may lie in the range: its [price_min, price_max] overlaps
//   [min, max].
// - includeMissing (default false): a product whose score or attribute is missing (NaN,
//   no category value, no brand, no price) passes the filters on it; otherwise it fails them.
// - sort: "similarity" (default), "color", "pattern", "type", "shape", "price", "brand", or
//   {"field": one of those, "order": "asc"|"desc"}. Scores sort by the match score
//   (similarity) or by the plain mean of the present scores of their group (color: primary,
//   secondary, tertiary; ...), descending by default; price by the lowest vendor price,
//   ascending by default; brand by its normalised name, ascending by default. Products
//   without the sort key come last in either order; ties are broken by product id
//   (ascending), so pages are stable.
// - page from 1 (default 1, at most 1,000,000,000; a page past the end is empty), limit
//   1..100 (default 20).
// Errors are k9::Error bad_request naming the field path ("filters.color.primary must be
// between 0 and 1", "Unknown field(s): filters.colour", "filters.priceRange.min must not be
// more than filters.priceRange.max").
#pragma once
#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "search/score_matrix.h"

namespace k9::search {

enum class CategoryField : uint8_t { type, material, look, texture, finish, edge };
inline constexpr size_t kCategoryFieldCount = 6;
std::string_view category_field_name(CategoryField f);  // "type", "material", ...

enum class SortField : uint8_t { similarity, color, pattern, type, shape, price, brand };
enum class SortOrder : uint8_t { asc, desc };

struct SearchQuery {
  // Accepted values (normalised, distinct) per category field; empty = no filter.
  std::array<std::vector<std::string>, kCategoryFieldCount> category;
  std::vector<std::string> brands;  // normalised, distinct; empty = no filter
  std::optional<double> price_min, price_max;  // USD
  // Minimum per score, indexed by Score (match = similarity.threshold); absent = no filter.
  std::array<std::optional<float>, kScoreCount> min_score;
  bool include_missing = false;
  SortField sort = SortField::similarity;
  SortOrder order = SortOrder::desc;
  int page = 1;    // from 1
  int limit = 20;  // 1..100
};

// The default order of a sort field: desc for scores, asc for price and brand.
SortOrder default_order(SortField f);

// Trims ASCII white space and lower-cases ASCII letters.
std::string normalise_value(std::string_view s);
void normalise_value(std::string_view s, std::string& out);  // into a reused buffer

// Decodes a request body (core/json.h parse_json_object: exact numbers) or any JSON object.
SearchQuery decode_search_query(const boost::json::object& body);

}  // namespace k9::search
