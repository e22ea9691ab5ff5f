#include "api/report_routes.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "api/browser_urls.h"
#include "api/openapi.h"
#include "api/responses.h"
#include "api/validation.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/json_codec.h"

namespace k9::api {

namespace json = boost::json;

ReportRoutes::ReportRoutes(repo::ReportRepository& reports, uploads::ImageFiles* images,
                           const AnalysisStart* analysis, bool cache_lists)
    : reports_(reports), images_(images) {
  if (analysis) analysis_.emplace(*analysis);
  if (cache_lists) {
    list_cache_ = std::make_unique<ListCache>();
    reports_.add_change_listener([cache = list_cache_.get()](const std::string& user) { cache->invalidate(user); });
  }
}

namespace {

Schema favorites_answer() {
  return named("FavoritesChanged", object_schema({{"success", literal(json::object{{"const", true}})},
                                                  {"favorites", array_of(string_schema("a product id"))}}));
}

// A report's body in the examples: one photo, an upload key (PUT /uploads/{name}) or a data: URL.
json::value example_report() {
  return {{"title", "Kitchen floor"},
          {"reference",
           {{"model", "Oak"},
            {"brand", "Acme"},
            {"category", {{"type", "Plank"}, {"material", "Wood"}}},
            {"images", json::array{{{"url", "uploads/<sub>/photo.jpg"}}}},
            {"formats", json::array{{{"length", {{"val", 48}, {"unit", "in"}}},
                                     {"width", {{"val", 7.5}, {"unit", "in"}}},
                                     {"vendors", json::array{{{"sku", "OAK-1"}, {"store", "Acme"}, {"name", "Oak plank"},
                                                              {"price", {{"val", "12.99"}, {"unit", "usd"}}},
                                                              {"url", "https://example.com/oak"}}}}}}}}}};
}

}  // namespace

std::vector<Route> ReportRoutes::routes() {
  std::vector<Route> out;
  out.push_back({"GET", "/reports", "reports.list", Access::bearer, Blocking::reads, Media::none, 0,
                 [this](const Call& c) { return list(c); },
                 RouteDoc{.summary = "The user's reports, newest first, a page at a time",
                          .responses = {{200, "A page of reports",
                                         named("ReportList",
                                               object_schema({{"reports", array_of(named("ReportSummary", object_schema({
                                                                              {"id", string_schema()},
                                                                              {"title", string_schema()},
                                                                              {"author", string_schema()},
                                                                              {"date", string_schema()},
                                                                              {"imageUrl", string_schema("the first photo: a signed link, or empty")},
                                                                              {"analysis", described<Analysis>()},
                                                                              {"favoritesCount", integer_schema()},
                                                                              {"createdAt", string_schema()},
                                                                              {"updatedAt", string_schema()}})))},
                                                              {"total", integer_schema()},
                                                              {"limit", integer_schema()},
                                                              {"next_cursor", nullable(string_schema("the next page's cursor"))},
                                                              {"has_more", boolean_schema()}}))}},
                          .query = {{"limit", "Reports per page, 1..100 (default 20)",
                                     literal(json::object{{"type", "integer"}, {"minimum", 1}, {"maximum", 100}}), 10},
                                    {"cursor", "The next_cursor of the previous page (opaque)", string_schema()}}}});
  out.push_back({"POST", "/reports", "reports.create", Access::bearer, Blocking::always, Media::json, 0,
                 [this](const Call& c) { return create(c); },
                 RouteDoc{.summary = "Open a report on a reference material; its analysis starts in the background",
                          .description = "A reference image's url is one of the caller's upload keys or a "
                                         "data:image/...;base64 URL (K9 copies it); other values are kept as given "
                                         "and never fetched. analysis.status goes pending -> running -> ready or failed.",
                          .request = described_input<NewReportInput>({"title", "reference"}),
                          .responses = {{201, "Created", named("ReportCreated", object_schema({{"id", string_schema()},
                                                                                              {"title", string_schema()},
                                                                                              {"author", string_schema()},
                                                                                              {"date", string_schema()},
                                                                                              {"analysis", described<Analysis>()}}))}},
                          .example = {.body = example_report(), .status = 201}}});
  out.push_back({"GET", "/reports/{id}", "reports.get", Access::bearer, Blocking::reads, Media::none, 0,
                 [this](const Call& c) {
                   auto r = reports_.get(c.user.sub, checked_report_id(c.param("id")));
                   return json_response(200, to_json(with_browser_urls(images_, std::move(r))));
                 },
                 RouteDoc{.summary = "A report with its full reference product",
                          .responses = {{200, "The report", described<Report>()}},
                          .example = {.params = {{"id", "3f2b7c1e-4a5d-4e8f-9b0a-1c2d3e4f5a6b"}}}}});
  out.push_back({"PATCH", "/reports/{id}", "reports.update", Access::bearer, Blocking::always, Media::json, 0,
                 [this](const Call& c) {
                   std::string id = checked_report_id(c.param("id"));
                   auto title = decode_title_patch(parse_json_object(c.request.body));
                   return json_response(200, to_json(with_browser_urls(images_, reports_.update_title(c.user.sub, id, title))));
                 },
                 RouteDoc{.summary = "Rename a report",
                          .request = described_input<TitlePatch>({"title"}),
                          .responses = {{200, "The report", described<Report>()}},
                          .example = {.params = {{"id", "3f2b7c1e-4a5d-4e8f-9b0a-1c2d3e4f5a6b"}},
                                      .body = {{"title", "Kitchen, second try"}}}}});
  out.push_back({"DELETE", "/reports/{id}", "reports.delete", Access::bearer, Blocking::always, Media::none, 0,
                 [this](const Call& c) { return remove(c); },
                 RouteDoc{.summary = "Delete a report: its reference, files and matrix go too",
                          .responses = {{200, "Deleted", schemas::success()}},
                          .example = {.params = {{"id", "3f2b7c1e-4a5d-4e8f-9b0a-1c2d3e4f5a6b"}}}}});
  out.push_back({"PUT", "/reports/{id}/favorites/{productId}", "reports.favorites.mark", Access::bearer,
                 Blocking::always, Media::json, 0, [this](const Call& c) {
                   std::string id = checked_report_id(c.param("id"));
                   std::string product = checked_product_id(c.param("productId"), "productId");
                   bool favorite = decode_is_favorite(parse_json_object(c.request.body));
                   auto favorites = reports_.set_favorite(c.user.sub, id, product, favorite);
                   return json_response(200, json::object{{"success", true}, {"favorites", to_json(favorites)}});
                 },
                 RouteDoc{.summary = "Mark or unmark one product as a favorite",
                          .request = described_input<FavoriteInput>({"isFavorite"}),
                          .responses = {{200, "The favorites now", favorites_answer()}},
                          .example = {.params = {{"id", "3f2b7c1e-4a5d-4e8f-9b0a-1c2d3e4f5a6b"}, {"productId", "demo-00001"}},
                                      .body = {{"isFavorite", true}}}}});
  out.push_back({"PUT", "/reports/{id}/favorites", "reports.favorites.replace", Access::bearer, Blocking::always,
                 Media::json, 0, [this](const Call& c) {
                   std::string id = checked_report_id(c.param("id"));
                   auto list = decode_favorites(parse_json_object(c.request.body));
                   auto favorites = reports_.set_favorites(c.user.sub, id, std::move(list));
                   return json_response(200, json::object{{"success", true}, {"favorites", to_json(favorites)}});
                 },
                 RouteDoc{.summary = "Replace the favorites (at most 500 product ids)",
                          .request = described_input<FavoritesInput>({"favorites"}),
                          .responses = {{200, "The favorites now", favorites_answer()}},
                          .example = {.params = {{"id", "3f2b7c1e-4a5d-4e8f-9b0a-1c2d3e4f5a6b"}},
                                      .body = {{"favorites", json::array{"demo-00001", "demo-00002"}}}}}});
  return out;
}

Response ReportRoutes::list(const Call& c) {
  const auto& p = c.user;
  const auto& query = c.request.query;
  int limit = parse_limit(query);
  auto cur = query.find("cursor");
  const std::string& cursor = cur == query.end() ? std::string() : cur->second;
  // Image links in a page are signed to the end of the next hour, and a cached page is
  // served only within the hour it was made, so a served link is good for an hour at least.
  auto now = reports_.clock().now();
  auto hour = std::chrono::floor<std::chrono::hours>(now);
  std::string cache_key = images_ ? cursor + "@" + std::to_string(hour.time_since_epoch().count()) : cursor;
  auto image_url = [&](const std::string& stored) {
    if (!images_ || stored.empty()) return stored;
    auto until = hour + std::chrono::hours(2);
    return images_->browser_url(stored, std::chrono::duration_cast<std::chrono::seconds>(until - now));
  };
  ListCache::Token token;
  if (list_cache_) {
    if (auto hit = list_cache_->find(p.sub, limit, cache_key)) {
      Response r;
      r.body = *hit;
      return r;
    }
    token = list_cache_->token(p.sub);
  }
  auto page = reports_.list(p.sub, limit, cursor);
  json::array items;
  items.reserve(page.reports.size());
  for (auto& r : page.reports) {
    items.push_back(json::object{{"id", r.id},
                                 {"title", r.title},
                                 {"author", r.author},
                                 {"date", r.date},
                                 {"imageUrl", image_url(r.image_url)},
                                 {"analysis", to_json(r.analysis)},
                                 {"favoritesCount", r.favorites.size()},
                                 {"createdAt", r.created_at},
                                 {"updatedAt", r.updated_at}});
  }
  Response r = json_response(
      200, json::object{{"reports", std::move(items)},
                        {"total", page.total},
                        {"limit", limit},
                        {"next_cursor", page.next_cursor.empty() ? json::value(nullptr) : json::value(page.next_cursor)},
                        {"has_more", !page.next_cursor.empty()}});
  if (list_cache_) list_cache_->store(p.sub, token, limit, cache_key, r.body);
  return r;
}

Response ReportRoutes::create(const Call& c) {
  const auto& p = c.user;
  auto in = decode_new_report(parse_json_object(c.request.body));
  std::string author = !p.name.empty() ? p.name : p.username;
  uploads::ImageFiles::Claim claim;
  if (images_) claim = images_->claim_report_images(p.sub, in.reference);  // checks all, then stores
  Report r;
  std::function<std::vector<store::TransactItem>(const Report&)> job;
  if (analysis_) {
    job = [&](const Report& created) {
      return std::vector<store::TransactItem>{analysis::ReportAnalysis::enqueue_item(analysis_->jobs, p.sub, created.id)};
    };
  }
  try {
    r = reports_.create(p.sub, author, std::move(in.title), std::move(in.reference), job);
  } catch (...) {
    if (images_) images_->release(claim);
    throw;
  }
  if (analysis_ && analysis_->queued) analysis_->queued();
  return json_response(201, json::object{{"id", r.id},
                                         {"title", r.title},
                                         {"author", r.author},
                                         {"date", r.date},
                                         {"analysis", to_json(r.analysis)}});
}

Response ReportRoutes::remove(const Call& c) {
  std::string id = checked_report_id(c.param("id"));
  std::optional<Report> doomed;
  if (images_ || analysis_) doomed = reports_.get(c.user.sub, id);  // to know its files
  reports_.remove(c.user.sub, id);
  if (doomed) {  // the record first: a failure here leaves unnamed files, never a report without images
    try {
      if (images_) images_->remove_report_files(doomed->reference);
      if (analysis_) analysis_->analysis.forget(doomed->reference, doomed->analysis.model_version);
    } catch (const Error& e) {
      if (!e.transient()) throw;
      spdlog::warn("report {} deleted, but not all of its files: {}", id, e.what());
    }
  }
  return json_response(200, json::object{{"success", true}});
}

}  // namespace k9::api
