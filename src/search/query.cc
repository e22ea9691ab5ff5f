#include "search/query.h"

#include <boost/describe.hpp>
#include <charconv>
#include <cstdlib>

#include "core/decimal.h"
#include "core/error.h"
#include "core/json_codec.h"

namespace k9::search {

namespace json = boost::json;
using json_codec_detail::fail;

namespace {

constexpr size_t kMaxValues = 100;
constexpr size_t kMaxValueBytes = 200;
constexpr int64_t kMaxPage = 1'000'000'000;
constexpr int64_t kMaxLimit = 100;

constexpr std::array<std::string_view, 7> kSortNames = {"similarity", "color", "pattern", "type",
                                                        "shape",      "price", "brand"};

// ---- wire types: what the body may hold, decoded by core/json_codec.h ----

// A string or an array of strings; normalised, empty ones dropped, duplicates dropped.
struct Names {
  std::vector<std::string> values;
};
// A number in [0,1].
struct Fraction {
  float value = 0;
};
// A number >= 0 (USD), kept exact for the min <= max check.
struct Usd {
  std::string text;
  double value = 0;
};
// An integer as the body wrote it (range checked by the caller, who knows the field).
struct Integer {
  std::string text;
};
struct SortSpec {
  SortField field = SortField::similarity;
  std::optional<SortOrder> order;
};

void from_json(const json::value& v, Names& out, const std::string& path, const DecodeLimits&) {
  auto add = [&](const json::value& e, const std::string& p) {
    if (!e.is_string()) fail(p, "must be a string");
    if (e.get_string().size() > kMaxValueBytes) fail(p, "must be at most " + std::to_string(kMaxValueBytes) + " bytes");
    auto n = normalise_value(e.get_string());
    if (n.empty()) return;
    for (auto& have : out.values)
      if (have == n) return;
    out.values.push_back(std::move(n));
  };
  if (v.is_string()) {
    add(v, path);
  } else if (v.is_array()) {
    auto& a = v.get_array();
    if (a.size() > kMaxValues) fail(path, "must have at most " + std::to_string(kMaxValues) + " values");
    for (size_t i = 0; i < a.size(); ++i) add(a[i], path + "[" + std::to_string(i) + "]");
  } else {
    fail(path, "must be a string or an array of strings");
  }
}

double number(const json::value& v, const std::string& path, std::string* text_out = nullptr) {
  auto d = json_codec_detail::decimal_from(v, path);
  if (text_out) *text_out = d.text;
  return std::strtod(d.text.c_str(), nullptr);
}

void from_json(const json::value& v, Fraction& out, const std::string& path, const DecodeLimits&) {
  std::string text;
  double x = number(v, path, &text);
  if (compare_decimals(text, "0") < 0 || compare_decimals(text, "1") > 0) fail(path, "must be between 0 and 1");
  out.value = float(x);
}

void from_json(const json::value& v, Usd& out, const std::string& path, const DecodeLimits&) {
  out.value = number(v, path, &out.text);
  if (compare_decimals(out.text, "0") < 0) fail(path, "must be at least 0");
}

void from_json(const json::value& v, Integer& out, const std::string& path, const DecodeLimits&) {
  if (v.is_bool() || v.is_string()) fail(path, "must be an integer");
  number(v, path, &out.text);
}

SortField sort_field(const json::value& v, const std::string& path) {
  if (v.is_string())
    for (size_t i = 0; i < kSortNames.size(); ++i)
      if (v.get_string() == kSortNames[i]) return SortField(i);
  fail(path, "must be one of similarity, color, pattern, type, shape, price, brand");
}

void from_json(const json::value& v, SortSpec& out, const std::string& path, const DecodeLimits&) {
  if (v.is_string()) {
    out.field = sort_field(v, path);
    return;
  }
  if (!v.is_object() || exact_number_text(v)) fail(path, "must be a string or an object {field, order}");
  auto& o = v.get_object();
  std::string unknown;
  for (auto& e : o)
    if (e.key() != "field" && e.key() != "order")
      unknown += (unknown.empty() ? "" : ", ") + json_codec_detail::child(path, e.key());
  if (!unknown.empty()) throw bad_request("Unknown field(s): " + unknown);
  auto f = o.find("field");
  if (f == o.end() || f->value().is_null()) fail(json_codec_detail::child(path, "field"), "is required");
  out.field = sort_field(f->value(), json_codec_detail::child(path, "field"));
  auto ord = o.find("order");
  if (ord != o.end() && !ord->value().is_null()) {
    auto& s = ord->value();
    if (s.is_string() && s.get_string() == "asc") out.order = SortOrder::asc;
    else if (s.is_string() && s.get_string() == "desc") out.order = SortOrder::desc;
    else fail(json_codec_detail::child(path, "order"), "must be asc or desc");
  }
}

struct CategoryIn {
  std::optional<Names> type, material, look, texture, finish, edge;
};
BOOST_DESCRIBE_STRUCT(CategoryIn, (), (type, material, look, texture, finish, edge))
struct PriceRangeIn {
  std::optional<Usd> min, max;
};
BOOST_DESCRIBE_STRUCT(PriceRangeIn, (), (min, max))
struct SimilarityIn {
  std::optional<Fraction> threshold;
};
BOOST_DESCRIBE_STRUCT(SimilarityIn, (), (threshold))
struct TripleIn {
  std::optional<Fraction> primary, secondary, tertiary;
};
BOOST_DESCRIBE_STRUCT(TripleIn, (), (primary, secondary, tertiary))
struct ShapeIn {
  std::optional<Fraction> length, width, thickness;
};
BOOST_DESCRIBE_STRUCT(ShapeIn, (), (length, width, thickness))
struct TypeIn {
  std::optional<Fraction> type, material;
};
BOOST_DESCRIBE_STRUCT(TypeIn, (), (type, material))
struct FiltersIn {
  std::optional<CategoryIn> category;
  std::optional<Names> brand;
  std::optional<PriceRangeIn> price_range;
  std::optional<SimilarityIn> similarity;
  std::optional<TripleIn> color, pattern;
  std::optional<ShapeIn> shape;
  std::optional<TypeIn> type;
  std::optional<bool> include_missing;
};
BOOST_DESCRIBE_STRUCT(FiltersIn, (),
                      (category, brand, price_range, similarity, color, pattern, shape, type, include_missing))
struct QueryIn {
  std::optional<FiltersIn> filters;
  std::optional<SortSpec> sort;
  std::optional<Integer> page, limit;
};
BOOST_DESCRIBE_STRUCT(QueryIn, (), (filters, sort, page, limit))

int bounded_int(const std::optional<Integer>& in, const char* name, int64_t lo, int64_t hi, int def) {
  if (!in) return def;
  auto bad = [&]() -> int {
    throw bad_request(std::string(name) + " must be an integer between " + std::to_string(lo) + " and " +
                      std::to_string(hi));
  };
  const std::string& t = in->text;  // canonical decimal: plain digits, '-', at most one '.'
  if (t.empty() || t.size() > 12 || t.find_first_not_of("0123456789") != std::string::npos) return bad();
  int64_t v = std::stoll(t);
  if (v < lo || v > hi) return bad();
  return int(v);
}

void threshold(std::array<std::optional<float>, kScoreCount>& out, Score s, const std::optional<Fraction>& f) {
  if (f && f->value > 0) out[size_t(s)] = f->value;  // 0 lets everything through: no filter
}

// The thresholds of a primary / secondary / tertiary group (color, pattern).
void thresholds(std::array<std::optional<float>, kScoreCount>& out, const TripleIn& t, Score primary, Score secondary,
                Score tertiary) {
  threshold(out, primary, t.primary);
  threshold(out, secondary, t.secondary);
  threshold(out, tertiary, t.tertiary);
}

}  // namespace

std::string_view category_field_name(CategoryField f) {
  static constexpr std::array<std::string_view, kCategoryFieldCount> kNames = {"type",    "material", "look",
                                                                              "texture", "finish",   "edge"};
  return kNames[size_t(f)];
}

SortOrder default_order(SortField f) {
  return f == SortField::price || f == SortField::brand ? SortOrder::asc : SortOrder::desc;
}

void normalise_value(std::string_view s, std::string& out) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  out.assign(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
}

std::string normalise_value(std::string_view s) {
  std::string out;
  normalise_value(s, out);
  return out;
}

SearchQuery decode_search_query(const json::object& body) {
  auto in = decode_json<QueryIn>(body, "", {.max_string = kMaxValueBytes, .max_array = kMaxValues});
  SearchQuery q;
  if (in.sort) {
    q.sort = in.sort->field;
    q.order = in.sort->order.value_or(default_order(q.sort));
  }
  q.page = bounded_int(in.page, "page", 1, kMaxPage, 1);
  q.limit = bounded_int(in.limit, "limit", 1, kMaxLimit, 20);
  if (!in.filters) return q;
  auto& f = *in.filters;
  q.include_missing = f.include_missing.value_or(false);
  if (f.category) {
    auto& c = *f.category;
    const std::optional<Names>* fields[kCategoryFieldCount] = {&c.type,    &c.material, &c.look,
                                                               &c.texture, &c.finish,   &c.edge};
    for (size_t i = 0; i < kCategoryFieldCount; ++i)
      if (*fields[i]) q.category[i] = std::move((*fields[i])->values);
  }
  if (f.brand) q.brands = std::move(f.brand->values);
  if (f.price_range) {
    auto& p = *f.price_range;
    if (p.min && p.max && compare_decimals(p.min->text, p.max->text) > 0)
      throw bad_request("filters.priceRange.min must not be more than filters.priceRange.max");
    if (p.min) q.price_min = p.min->value;
    if (p.max) q.price_max = p.max->value;
  }
  if (f.similarity) threshold(q.min_score, Score::match, f.similarity->threshold);
  if (f.color) thresholds(q.min_score, *f.color, Score::color_primary, Score::color_secondary, Score::color_tertiary);
  if (f.pattern)
    thresholds(q.min_score, *f.pattern, Score::pattern_primary, Score::pattern_secondary, Score::pattern_tertiary);
  if (f.shape) {
    threshold(q.min_score, Score::shape_length, f.shape->length);
    threshold(q.min_score, Score::shape_width, f.shape->width);
    threshold(q.min_score, Score::shape_thickness, f.shape->thickness);
  }
  if (f.type) {
    threshold(q.min_score, Score::type_type, f.type->type);
    threshold(q.min_score, Score::type_material, f.type->material);
  }
  return q;
}

}  // namespace k9::search
