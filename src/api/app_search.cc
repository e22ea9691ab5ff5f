// The routes of a report's results (SPEC section 3): search, one product beside the
// reference, favorites with their scores, and the export ZIP. They read the report's
// similarity matrix (analysis/report_analysis.h) and the catalog snapshot it was scored
// against; a report whose analysis is not ready answers 409 with Retry-After.
#include <cmath>

#include "analysis/report_analysis.h"
#include "api/app.h"
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

App::Results App::results(const identity::Principal& p, const std::string& report_id) {
  Results out;
  out.report = s_.reports.get(p.sub, report_id);
  const auto& a = out.report.analysis;
  if (a.status == "failed")
    throw Error(ErrorCode::conflict, "The report's analysis failed: " + a.error.value_or("unknown error"));
  if (a.status != "ready")
    throw Error(ErrorCode::conflict, "The report's analysis is " + a.status + "; try again shortly", 2);
  out.matrix = s_.analysis->matrix_for(out.report.reference, a.model_version, &out.snapshot);
  if (!out.matrix) throw Error(ErrorCode::conflict, "The report's analysis is not available; try again shortly", 2);
  if (out.snapshot && !out.snapshot->scored(*out.matrix)) out.snapshot = nullptr;  // defensive: rows must match
  return out;
}

boost::json::object App::product_json(const Product& product) {
  json::object o = to_json(product).as_object();
  if (s_.images) {
    auto& images = o["images"].as_array();
    for (auto& img : images) {
      auto& io = img.as_object();
      if (auto* u = io.if_contains("url"); u && u->is_string())
        *u = s_.images->browser_url(std::string(u->as_string()));
      if (auto* mk = io.if_contains("mask"); mk && mk->is_string())
        *mk = s_.images->browser_url(std::string(mk->as_string()));
    }
  }
  return o;
}

void App::add_search_routes() {
  if (!s_.analysis || !s_.products) return;  // not wired (tests of other concerns)
  router_.add("POST", "/reports/{id}/search", [this](const Request& req, const Params& params) {
    auto p = authenticate(req);
    std::string id = checked_report_id(params.at("id"));
    auto query = search::decode_search_query(parse_json_object(req.body));
    Results res = results(p, id);
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
    auto products = s_.products->get_many(ids);
    json::array items;
    for (auto row : page.rows) {
      std::string pid(res.matrix->product_id(row));
      auto it = products.find(pid);
      if (it == products.end()) continue;  // removed from the catalog since the snapshot
      const Product& prod = it->second.product;
      json::object o{{"id", pid},
                     {"brand", prod.brand ? json::value(*prod.brand) : json::value(nullptr)},
                     {"model", prod.model},
                     {"image", prod.images.empty() || !s_.images ? json::value(nullptr)
                                                                 : json::value(s_.images->browser_url(prod.images[0].url))},
                     {"analysis", index_analysis(*res.matrix, row, snap)}};
      if (prod.series) o["series"] = *prod.series;
      items.push_back(std::move(o));
    }
    return json_response(200, json::object{{"products", std::move(items)},
                                         {"total", page.total},
                                         {"page", page.page},
                                         {"limit", page.limit}});
  });

  router_.add("GET", "/reports/{id}/products/{productId}", [this](const Request& req, const Params& params) {
    auto p = authenticate(req);
    std::string id = checked_report_id(params.at("id"));
    std::string pid = checked_product_id(params.at("productId"), "productId");
    Results res = results(p, id);
    size_t row = res.matrix->find(pid);
    auto prod = s_.products->get(pid);
    if (row == res.matrix->size() || !prod) throw not_found("Product not found");
    json::object o = product_json(prod->product);
    o["scores"] = scores_json(*res.matrix, row);
    o["analysis"] = index_analysis(*res.matrix, row, res.snapshot ? &res.snapshot->snapshot : nullptr);
    o["isFavorite"] = std::find(res.report.favorites.begin(), res.report.favorites.end(), pid) !=
                      res.report.favorites.end();
    return json_response(200, o);
  });

  router_.add("GET", "/reports/{id}/favorites", [this](const Request& req, const Params& params) {
    auto p = authenticate(req);
    std::string id = checked_report_id(params.at("id"));
    Results res = results(p, id);
    auto products = s_.products->get_many(res.report.favorites);
    json::array items;
    for (auto& pid : res.report.favorites) {
      auto it = products.find(pid);
      if (it == products.end()) continue;  // no longer in the catalog
      json::object o = product_json(it->second.product);
      size_t row = res.matrix->find(pid);
      o["scores"] = row < res.matrix->size() ? json::value(scores_json(*res.matrix, row)) : json::value(nullptr);
      items.push_back(std::move(o));
    }
    return json_response(200, json::object{{"favorites", std::move(items)}, {"total", items.size()}});
  });

  router_.add("GET", "/reports/{id}/export", [this](const Request& req, const Params& params) {
    auto p = authenticate(req);
    std::string id = checked_report_id(params.at("id"));
    Results res = results(p, id);
    if (res.report.favorites.empty()) throw bad_request("The report has no favorites to export");
    auto products = s_.products->get_many(res.report.favorites);
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
      return s_.images ? s_.images->read(stored) : std::nullopt;
    };
    Response r;
    r.body = exporting::favorites_zip(x, read);
    r.content_type = "application/zip";
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"favorites-report-" + id + ".zip\"");
    return r;
  });
}

}  // namespace k9::api
