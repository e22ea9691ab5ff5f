#include "api/result_routes.h"

#include <algorithm>
#include <cmath>

#include "api/browser_urls.h"
#include "api/openapi.h"
#include "api/responses.h"
#include "api/validation.h"
#include "core/json.h"
#include "core/json_codec.h"
#include "export/favorites_zip.h"
#include "search/query.h"
#include "search/search.h"

namespace k9::api {

namespace json = boost::json;
using search::Score;

namespace {

// Scores leave rounded to 4 decimals (enough to rank and to show); a missing one is null.
json::value score_value(float v) {
  if (std::isnan(v)) return nullptr;
  return std::round(double(v) * 1e4) / 1e4;
}

json::value rounded(float v, double scale = 1e2) {
  if (std::isnan(v)) return nullptr;
  return std::round(double(v) * scale) / scale;
}

json::object scores_json(const search::ScoreMatrix& m, size_t row) {
  auto at = [&](Score s) { return score_value(m.column(s)[row]); };
  return json::object{
      {"type", json::object{{"type", at(Score::type_type)}, {"material", at(Score::type_material)}}},
      {"shape", json::object{{"length", at(Score::shape_length)},
                             {"width", at(Score::shape_width)},
                             {"thickness", at(Score::shape_thickness)}}},
      {"color", json::object{{"primary", at(Score::color_primary)},
                             {"secondary", at(Score::color_secondary)},
                             {"tertiary", at(Score::color_tertiary)}}},
      {"pattern", json::object{{"primary", at(Score::pattern_primary)},
                               {"secondary", at(Score::pattern_secondary)},
                               {"tertiary", at(Score::pattern_tertiary)}}},
      {"match", at(Score::match)}};
}

// ProductIndex.analysis: colour vectors are CIELAB (a*, b*); pattern vectors the snapshot's
// documented 2-D projection (catalog/snapshot/snapshot.h, Display).
json::object index_analysis(const search::ScoreMatrix& m, size_t row, const catalog::snapshot::Snapshot* snap) {
  auto component = [&](int k, Score s, bool colour) {
    json::array vec;
    if (snap) {
      auto d = snap->display(row);
      auto& xy = colour ? d.colour[k] : d.pattern[k];
      vec = {rounded(xy[0], colour ? 1e1 : 1e3), rounded(xy[1], colour ? 1e1 : 1e3)};
    }
    return json::object{{"vector", std::move(vec)}, {"similarity", score_value(m.column(s)[row])}};
  };
  return json::object{
      {"color", json::object{{"primary", component(0, Score::color_primary, true)},
                             {"secondary", component(1, Score::color_secondary, true)},
                             {"tertiary", component(2, Score::color_tertiary, true)}}},
      {"pattern", json::object{{"primary", component(0, Score::pattern_primary, false)},
                               {"secondary", component(1, Score::pattern_secondary, false)},
                               {"tertiary", component(2, Score::pattern_tertiary, false)}}},
      {"similarity", score_value(m.column(Score::match)[row])}};
}

}  // namespace

ResultRoutes::Results ResultRoutes::results(const std::string& user_id, const std::string& report_id) {
  Results out;
  out.report = reports_.get(user_id, report_id);
  const auto& a = out.report.analysis;
  if (a.status == "failed")
    throw Error(ErrorCode::conflict, "The report's analysis failed: " + a.error.value_or("unknown error"));
  if (a.status != "ready")
    throw Error(ErrorCode::conflict, "The report's analysis is " + a.status + "; try again shortly", 2);
  out.matrix = analysis_.matrix_for(out.report.reference, a.model_version, &out.snapshot);
  if (!out.matrix) throw Error(ErrorCode::conflict, "The report's analysis is not available; try again shortly", 2);
  if (out.snapshot && !out.snapshot->scored(*out.matrix)) out.snapshot = nullptr;  // defensive: rows must match
  return out;
}

namespace {

const std::map<std::string, std::string> kExampleIds{{"id", "3f2b7c1e-4a5d-4e8f-9b0a-1c2d3e4f5a6b"}};
const std::string kNotReady =
    "The analysis is not ready: Retry-After when it is pending or running, none when it failed";

Schema search_request() {
  auto names = any_of({string_schema(), array_of(string_schema())});
  auto threshold = literal(json::object{{"anyOf", json::array{json::object{{"type", "number"}, {"minimum", 0}, {"maximum", 1}},
                                                             json::object{{"type", "null"}}}}});
  auto group = [&](std::vector<std::string> fields) {
    std::vector<Field> f;
    for (auto& n : fields) f.push_back(optional_field(n, threshold));
    return nullable(object_schema(std::move(f), true));
  };
  auto sort_field = literal(json::object{
      {"enum", json::array{"similarity", "color", "pattern", "type", "shape", "price", "brand"}}});
  return named(
      "SearchRequest",
      object_schema(
          {optional_field("filters",
                          nullable(object_schema(
                              {optional_field("category", nullable(object_schema({optional_field("type", names),
                                                                                  optional_field("material", names),
                                                                                  optional_field("look", names),
                                                                                  optional_field("texture", names),
                                                                                  optional_field("finish", names),
                                                                                  optional_field("edge", names)},
                                                                                 true))),
                               optional_field("brand", names),
                               optional_field("priceRange",
                                              nullable(object_schema({optional_field("min", nullable(number_schema())),
                                                                      optional_field("max", nullable(number_schema()))},
                                                                     true))),
                               optional_field("similarity", group({"threshold"})),
                               optional_field("color", group({"primary", "secondary", "tertiary"})),
                               optional_field("pattern", group({"primary", "secondary", "tertiary"})),
                               optional_field("shape", group({"length", "width", "thickness"})),
                               optional_field("type", group({"type", "material"})),
                               optional_field("includeMissing", nullable(boolean_schema()))},
                              true))),
           optional_field("sort", nullable(any_of({sort_field, object_schema({{"field", sort_field},
                                                                               optional_field("order", literal(json::object{{"enum", json::array{"asc", "desc"}}}))},
                                                                              true)}))),
           optional_field("page", nullable(integer_schema("from 1"))),
           optional_field("limit", nullable(integer_schema("1..100, default 20")))},
          true));
}

}  // namespace

std::vector<Route> ResultRoutes::routes() {
  // Each reads a matrix (from the blob store, or scores it again) or builds a ZIP: blocks.
  return {
      {"POST", "/reports/{id}/search", "results.search", Access::bearer, Blocking::always, Media::json, 0,
       [this](const Call& c) { return search(c); },
       RouteDoc{.summary = "Search the catalog scored against the report's reference",
                .description = "Filters, sort and pages as in src/search/query.h: thresholds are minimums in "
                               "[0,1] (0 = no filter); category fields and brand take a string or a list.",
                .request = search_request(),
                .responses = {{200, "A page of products",
                               object_schema({{"products", array_of(named("ProductIndex", object_schema({
                                                                {"id", string_schema()},
                                                                {"brand", nullable(string_schema())},
                                                                optional_field("series", string_schema()),
                                                                {"model", string_schema()},
                                                                {"image", nullable(string_schema("a signed link"))},
                                                                {"analysis", schemas::index_analysis()}})))},
                                              {"total", integer_schema()},
                                              {"page", integer_schema()},
                                              {"limit", integer_schema()}})},
                              {409, kNotReady}},
                .example = {.params = kExampleIds,
                            .body = {{"filters", {{"color", {{"primary", 0.5}}}}}, {"limit", 10}}}}},
      {"GET", "/reports/{id}/products/{productId}", "results.product", Access::bearer, Blocking::always, Media::none, 0,
       [this](const Call& c) { return product(c); },
       RouteDoc{.summary = "One product with its scores against the reference",
                .responses = {{200, "The product",
                               named("ProductResult", extended(described<Product>(),
                                                               {{"scores", schemas::product_scores()},
                                                                {"analysis", schemas::index_analysis()},
                                                                {"isFavorite", boolean_schema()}}))},
                              {409, kNotReady}},
                .example = {.params = {{"id", "3f2b7c1e-4a5d-4e8f-9b0a-1c2d3e4f5a6b"}, {"productId", "demo-00001"}}}}},
      {"GET", "/reports/{id}/favorites", "results.favorites", Access::bearer, Blocking::always, Media::none, 0,
       [this](const Call& c) { return favorites(c); },
       RouteDoc{.summary = "The favorite products (those still in the catalog) with their scores",
                .responses = {{200, "The favorites",
                               object_schema({{"favorites", array_of(extended(described<Product>(),
                                                                              {{"scores", nullable(schemas::product_scores())}}))},
                                              {"total", integer_schema()}})},
                              {409, kNotReady}},
                .example = {.params = kExampleIds}}},
      {"GET", "/reports/{id}/export", "results.export", Access::bearer, Blocking::always, Media::none, 0,
       [this](const Call& c) { return export_zip(c); },
       RouteDoc{.summary = "favorites-report-{id}.zip: favorites.csv and the images",
                .responses = {{200, "The ZIP (Content-Disposition: attachment)", {}, "application/zip"},
                              {400, "The report has no favorites (in the catalog)"},
                              {409, kNotReady},
                              {413, "The images pass 256 MiB"}},
                .example = {.params = kExampleIds}}},
  };
}

Response ResultRoutes::search(const Call& c) {
  std::string id = checked_report_id(c.param("id"));
  auto query = search::decode_search_query(parse_json_object(c.request.body));
  Results res = results(c.user.sub, id);
  const auto* snap = res.snapshot ? &res.snapshot->snapshot : nullptr;
  search::SearchPage page;
  if (res.snapshot) {
    page = search::run_search(*res.matrix, res.snapshot->filters, query);
  } else {
    page.total = 0;
    page.page = query.page;
    page.limit = query.limit;
  }
  std::vector<std::string> ids;
  for (auto row : page.rows) ids.emplace_back(res.matrix->product_id(row));
  auto products = products_.get_many(ids);
  json::array items;
  for (auto row : page.rows) {
    std::string pid(res.matrix->product_id(row));
    auto it = products.find(pid);
    if (it == products.end()) continue;  // removed from the catalog since the snapshot
    const Product& prod = it->second.product;
    json::object o{{"id", pid},
                   {"brand", prod.brand ? json::value(*prod.brand) : json::value(nullptr)},
                   {"model", prod.model},
                   {"image", prod.images.empty() || !images_ ? json::value(nullptr)
                                                               : json::value(images_->browser_url(prod.images[0].url))},
                   {"analysis", index_analysis(*res.matrix, row, snap)}};
    if (prod.series) o["series"] = *prod.series;
    items.push_back(std::move(o));
  }
  return json_response(200, json::object{{"products", std::move(items)},
                                       {"total", page.total},
                                       {"page", page.page},
                                       {"limit", page.limit}});
}

Response ResultRoutes::product(const Call& c) {
  std::string id = checked_report_id(c.param("id"));
  std::string pid = checked_product_id(c.param("productId"), "productId");
  Results res = results(c.user.sub, id);
  size_t row = res.matrix->find(pid);
  auto prod = products_.get(pid);
  if (row == res.matrix->size() || !prod) throw not_found("Product not found");
  json::object o = product_json(images_, prod->product);
  o["scores"] = scores_json(*res.matrix, row);
  o["analysis"] = index_analysis(*res.matrix, row, res.snapshot ? &res.snapshot->snapshot : nullptr);
  o["isFavorite"] = std::find(res.report.favorites.begin(), res.report.favorites.end(), pid) !=
                    res.report.favorites.end();
  return json_response(200, o);
}

Response ResultRoutes::favorites(const Call& c) {
  std::string id = checked_report_id(c.param("id"));
  Results res = results(c.user.sub, id);
  auto products = products_.get_many(res.report.favorites);
  json::array items;
  for (auto& pid : res.report.favorites) {
    auto it = products.find(pid);
    if (it == products.end()) continue;  // no longer in the catalog
    json::object o = product_json(images_, it->second.product);
    size_t row = res.matrix->find(pid);
    o["scores"] = row < res.matrix->size() ? json::value(scores_json(*res.matrix, row)) : json::value(nullptr);
    items.push_back(std::move(o));
  }
  return json_response(200, json::object{{"favorites", std::move(items)}, {"total", items.size()}});
}

Response ResultRoutes::export_zip(const Call& c) {
  std::string id = checked_report_id(c.param("id"));
  Results res = results(c.user.sub, id);
  if (res.report.favorites.empty()) throw bad_request("The report has no favorites to export");
  auto products = products_.get_many(res.report.favorites);
  exporting::FavoritesExport x;
  x.reference = res.report.reference;
  for (auto& pid : res.report.favorites) {
    auto it = products.find(pid);
    if (it == products.end()) continue;
    exporting::ExportedProduct e{it->second.product, {}};
    size_t row = res.matrix->find(pid);
    if (row < res.matrix->size())
      for (size_t s = 0; s < search::kScoreCount; ++s) e.scores[s] = res.matrix->columns[s][row];
    x.favorites.push_back(std::move(e));
  }
  if (x.favorites.empty()) throw bad_request("None of the report's favorites is in the catalog any more");
  auto read = [this](const std::string& stored) -> std::optional<std::string> {
    return images_ ? images_->read(stored) : std::nullopt;
  };
  Response r;
  r.body = exporting::favorites_zip(x, read);
  r.content_type = "application/zip";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"favorites-report-" + id + ".zip\"");
  return r;
}

}  // namespace k9::api
