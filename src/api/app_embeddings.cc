// The seed's embedding routes (SPEC section 3), kept for its clients:
//  - POST /embeddings/compute {product_data}: the embedding of one of the caller's own
//    products from its photos (their uploads or data: URLs), stored owned by the caller, so
//    it never enters the shared catalog. A catalog product's id is 403 (catalog embeddings
//    come from `k9 catalog import`); another user's product id is 404.
//  - POST /embeddings/similarity {reference_product_id}: scores that product (the caller's
//    own, or a catalog product) against the catalog, stores the matrix at
//    similarity_matrices/{model_version}/{id}.npz and answers the 10 best other products.
//  - GET /embeddings/similarity/{productId}: the 50 best of the stored matrix (404 before
//    POST /embeddings/similarity or a report's analysis made one).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "api/app.h"
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

Product App::similarity_reference(const identity::Principal& p, const std::string& product_id) {
  auto version = s_.analysis->model_version();
  auto e = s_.embeddings->get(product_id, version);
  std::string missing = "No embedding of product " + product_id + " (POST /embeddings/compute first)";
  if (!e || (!e->owner.empty() && e->owner != p.sub)) throw not_found(missing);
  Product ref;
  ref.id = product_id;
  if (e->owner.empty()) {  // a catalog product: its category and formats score too
    auto c = s_.products->get(product_id);
    if (!c) throw not_found(missing);
    ref = c->product;
  }
  return ref;
}

void App::add_embedding_routes() {
  if (!s_.analysis || !s_.products || !s_.embeddings || !s_.images) return;

  router_.add("POST", "/embeddings/compute", [this](const Request& req, const Params&) {
    auto p = authenticate(req);
    Product in = decode_embedding_compute(parse_json_object(req.body));
    if (s_.products->get(in.id)) throw Error(ErrorCode::forbidden, "product_data.id is a catalog product; its embedding comes from the catalog import");
    auto existing = s_.embeddings->get(in.id, s_.analysis->model_version());
    if (existing && existing->owner != p.sub) throw not_found("Product " + in.id + " not found");
    if (s_.products->owned_by_other(in.id, p.sub)) throw not_found("Product " + in.id + " not found");
    std::vector<analysis::ReportAnalysis::Photo> photos;
    for (size_t i = 0; i < in.images.size(); ++i) {
      std::string field = "product_data.images[" + std::to_string(i) + "]";
      analysis::ReportAnalysis::Photo photo{s_.images->read_own(p.sub, in.images[i].url, field + ".url"), {}, {}, field};
      if (in.images[i].mask && !in.images[i].mask->empty())
        photo.mask = s_.images->read_own(p.sub, *in.images[i].mask, field + ".mask");
      photo.selection = in.images[i].selection;
      photos.push_back(std::move(photo));
    }
    auto e = s_.analysis->embed(p.sub, in.id, photos);
    return json_response(200, json::object{{"product_id", e.product_id},
                                         {"embedding_computed", true},
                                         {"vector_dimension", e.dimension},
                                         {"image_count", e.count()},
                                         {"model_version", e.model_version}});
  });

  router_.add("POST", "/embeddings/similarity", [this](const Request& req, const Params&) {
    auto p = authenticate(req);
    std::string id = decode_similarity_request(parse_json_object(req.body));
    Product ref = similarity_reference(p, id);
    auto version = s_.analysis->model_version();
    auto m = s_.analysis->score(ref, version);
    if (!m) throw not_found("No embedding of product " + id + " (POST /embeddings/compute first)");
    return json_response(200, json::object{{"reference_product_id", id},
                                         {"similarities_computed", m->size()},
                                         {"top_similar", top(*m, 10, id)},
                                         {"s3_key", analysis::Matrices::key(version, id)},
                                         {"model_version", version}});
  });

  router_.add("GET", "/embeddings/similarity/{productId}", [this](const Request& req, const Params& params) {
    auto p = authenticate(req);
    std::string id = checked_product_id(params.at("productId"), "productId");
    similarity_reference(p, id);
    auto m = s_.analysis->matrices().load(s_.analysis->model_version(), id);
    if (!m) throw not_found("No similarity matrix of product " + id + " (POST /embeddings/similarity first)");
    return json_response(200, json::object{{"reference_product_id", id},
                                         {"model_version", m->model_version},
                                         {"similarities", top(*m, 50, id)}});
  });
}

}  // namespace k9::api
