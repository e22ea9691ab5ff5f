#include "analysis/matrices.h"

#include <spdlog/spdlog.h>

#include "search/npz.h"

namespace k9::analysis {

std::string Matrices::key(const std::string& model_version, const std::string& reference_product_id) {
  return "similarity_matrices/" + model_version + "/" + reference_product_id + ".npz";
}

void Matrices::save(std::shared_ptr<const search::ScoreMatrix> matrix) {
  std::string k = key(matrix->model_version, matrix->reference_product_id);
  blobs_.put(k, search::encode_npz(*matrix), "application/octet-stream");
  cache_.erase(k);
  cache_.get_or_load(k, [&] { return matrix; });
}

std::shared_ptr<const search::ScoreMatrix> Matrices::load(const std::string& model_version,
                                                          const std::string& reference_product_id) {
  std::string k = key(model_version, reference_product_id);
  if (auto hit = cache_.find(k)) return hit;
  auto blob = blobs_.get(k);
  if (!blob) return nullptr;
  std::shared_ptr<const search::ScoreMatrix> m;
  try {
    m = std::make_shared<const search::ScoreMatrix>(search::decode_npz(blob->bytes));
  } catch (const std::exception& e) {
    spdlog::error("similarity matrix {} unreadable: {}", k, e.what());
    return nullptr;
  }
  return cache_.get_or_load(k, [&] { return m; });
}

void Matrices::remove(const std::string& model_version, const std::string& reference_product_id) {
  std::string k = key(model_version, reference_product_id);
  cache_.erase(k);
  blobs_.remove(k);
}

}  // namespace k9::analysis
