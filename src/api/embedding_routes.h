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
#pragma once
#include "analysis/report_analysis.h"
#include "api/route.h"
#include "repo/embedding_repository.h"
#include "repo/product_repository.h"
#include "uploads/image_files.h"

namespace k9::api {

class EmbeddingRoutes final : public RouteGroup {
 public:
  EmbeddingRoutes(analysis::ReportAnalysis& analysis, repo::ProductRepository& products,
                  repo::EmbeddingRepository& embeddings, uploads::ImageFiles& images)
      : analysis_(analysis), products_(products), embeddings_(embeddings), images_(images) {}
  std::vector<Route> routes() override;

 private:
  Response compute(const Call& c);
  Response similarity(const Call& c);
  Response stored_similarity(const Call& c);
  // The product a similarity request may score: the caller's own embedded product, or a
  // catalog product; 404 otherwise.
  Product similarity_reference(const std::string& user_id, const std::string& product_id);

  analysis::ReportAnalysis& analysis_;
  repo::ProductRepository& products_;
  repo::EmbeddingRepository& embeddings_;
  uploads::ImageFiles& images_;
};

}  // namespace k9::api
