#include "api/embedding_routes.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "api/openapi.h"
#include "api/responses.h"
#include "api/validation.h"
#include "core/json.h"

namespace k9::api {

namespace json = boost::json;

namespace {

// The `n` best products of a matrix by match (missing last), leaving `exclude` out.
json::array top(const search::ScoreMatrix& m, size_t n, const std::string& exclude) {
  const auto& match = m.column(search::Score::match);
  std::vector<uint32_t> rows(m.size());
  std::iota(rows.begin(), rows.end(), 0);
  auto better = [&](uint32_t a, uint32_t b) {
    float x = std::isnan(match[a]) ? -1 : match[a], y = std::isnan(match[b]) ? -1 : match[b];
    return x != y ? x > y : a < b;
  };
  size_t k = std::min(rows.size(), n + 1);
  std::partial_sort(rows.begin(), rows.begin() + k, rows.end(), better);
  json::array out;
  for (size_t i = 0; i < k && out.size() < n; ++i) {
    std::string id(m.product_id(rows[i]));
    if (id == exclude) continue;
    float v = match[rows[i]];
    out.push_back(json::object{{"product_id", id},
                               {"similarity_score", std::isnan(v) ? json::value(nullptr)
                                                                  : json::value(std::round(double(v) * 1e4) / 1e4)}});
  }
  return out;
}

}  // namespace

namespace {

Schema top_similar() {
  return array_of(named("SimilarProduct", object_schema({{"product_id", string_schema()},
                                                         {"similarity_score", nullable(number_schema())}})));
}

}  // namespace

std::vector<Route> EmbeddingRoutes::routes() {
  // Each reads photos or matrices, or scores the catalog: blocks.
  return {
      {"POST", "/embeddings/compute", "embeddings.compute", Access::bearer, Blocking::always, Media::json, 0,
       [this](const Call& c) { return compute(c); },
       RouteDoc{.summary = "Compute and store the embedding of one of the caller's own products",
                .description = "Photos are the caller's uploads or data: URLs. A catalog product's embedding comes "
                               "from the catalog import (403).",
                .request = object_schema({{"product_data", described<Product>(SchemaUse::input)}}, true),
                .responses = {{200, "Stored",
                               object_schema({{"product_id", string_schema()},
                                              {"embedding_computed", boolean_schema()},
                                              {"vector_dimension", integer_schema()},
                                              {"image_count", integer_schema()},
                                              {"model_version", string_schema()}})},
                              {403, "A catalog product"}},
                .example = {.body = {{"product_data", {{"id", "my-tile-1"},
                                                       {"model", "My tile"},
                                                       {"images", json::array{{{"url", "uploads/<sub>/photo.jpg"}}}}}}}}}},
      {"POST", "/embeddings/similarity", "embeddings.similarity", Access::bearer, Blocking::always, Media::json, 0,
       [this](const Call& c) { return similarity(c); },
       RouteDoc{.summary = "Score a product (the caller's own or a catalog one) against the catalog and store the matrix",
                .request = object_schema({{"reference_product_id", string_schema()}}, true),
                .responses = {{200, "Scored",
                               object_schema({{"reference_product_id", string_schema()},
                                              {"similarities_computed", integer_schema()},
                                              {"top_similar", top_similar()},
                                              {"s3_key", string_schema("the matrix in the blob store")},
                                              {"model_version", string_schema()}})},
                              {404, "No embedding of that product (POST /embeddings/compute first)"}},
                .example = {.body = {{"reference_product_id", "my-tile-1"}}}}},
      {"GET", "/embeddings/similarity/{productId}", "embeddings.similarity.get", Access::bearer, Blocking::always,
       Media::none, 0, [this](const Call& c) { return stored_similarity(c); },
       RouteDoc{.summary = "The stored similarities of a product: its top 50",
                .responses = {{200, "The top 50",
                               object_schema({{"reference_product_id", string_schema()},
                                              {"model_version", string_schema()},
                                              {"similarities", top_similar()}})}},
                .params = {{"productId", "A product id (the caller's own or a catalog one)"}},
                .example = {.params = {{"productId", "my-tile-1"}}}}},
  };
}

Product EmbeddingRoutes::similarity_reference(const std::string& user_id, const std::string& product_id) {
  auto version = analysis_.model_version();
  auto e = embeddings_.get(product_id, version);
  std::string missing = "No embedding of product " + product_id + " (POST /embeddings/compute first)";
  if (!e || (!e->owner.empty() && e->owner != user_id)) throw not_found(missing);
  Product ref;
  ref.id = product_id;
  if (e->owner.empty()) {  // a catalog product: its category and formats score too
    auto c = products_.get(product_id);
    if (!c) throw not_found(missing);
    ref = c->product;
  }
  return ref;
}

Response EmbeddingRoutes::compute(const Call& c) {
  Product in = decode_embedding_compute(parse_json_object(c.request.body));
  if (products_.get(in.id)) throw Error(ErrorCode::forbidden, "product_data.id is a catalog product; its embedding comes from the catalog import");
  auto existing = embeddings_.get(in.id, analysis_.model_version());
  if (existing && existing->owner != c.user.sub) throw not_found("Product " + in.id + " not found");
  if (products_.owned_by_other(in.id, c.user.sub)) throw not_found("Product " + in.id + " not found");
  std::vector<analysis::ReportAnalysis::Photo> photos;
  for (size_t i = 0; i < in.images.size(); ++i) {
    std::string field = "product_data.images[" + std::to_string(i) + "]";
    analysis::ReportAnalysis::Photo photo{images_.read_own(c.user.sub, in.images[i].url, field + ".url"), {}, {}, field};
    if (in.images[i].mask && !in.images[i].mask->empty())
      photo.mask = images_.read_own(c.user.sub, *in.images[i].mask, field + ".mask");
    photo.selection = in.images[i].selection;
    photos.push_back(std::move(photo));
  }
  auto e = analysis_.embed(c.user.sub, in.id, photos);
  return json_response(200, json::object{{"product_id", e.product_id},
                                       {"embedding_computed", true},
                                       {"vector_dimension", e.dimension},
                                       {"image_count", e.count()},
                                       {"model_version", e.model_version}});
}

Response EmbeddingRoutes::similarity(const Call& c) {
  std::string id = decode_similarity_request(parse_json_object(c.request.body));
  Product ref = similarity_reference(c.user.sub, id);
  auto version = analysis_.model_version();
  auto m = analysis_.score(ref, version);
  if (!m) throw not_found("No embedding of product " + id + " (POST /embeddings/compute first)");
  return json_response(200, json::object{{"reference_product_id", id},
                                       {"similarities_computed", m->size()},
                                       {"top_similar", top(*m, 10, id)},
                                       {"s3_key", analysis::Matrices::key(version, id)},
                                       {"model_version", version}});
}

Response EmbeddingRoutes::stored_similarity(const Call& c) {
  std::string id = checked_product_id(c.param("productId"), "productId");
  similarity_reference(c.user.sub, id);
  auto m = analysis_.matrices().load(analysis_.model_version(), id);
  if (!m) throw not_found("No similarity matrix of product " + id + " (POST /embeddings/similarity first)");
  return json_response(200, json::object{{"reference_product_id", id},
                                       {"model_version", m->model_version},
                                       {"similarities", top(*m, 50, id)}});
}

}  // namespace k9::api
