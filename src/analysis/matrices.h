// Similarity matrices in the blob store (SPEC section 3:
// similarity_matrices/{model_version}/{reference_product_id}.npz), read through an in-memory
// cache within a byte budget (search/matrix_cache.h).
//
// Contract: save() writes the file (durable when it returns) and then caches it; load()
// answers the cached matrix or reads and decodes the file, nullptr when there is none; an
// unreadable file is logged and answers nullptr (the caller scores again). Blob faults
// (blobs::Unavailable) pass through. Thread-safe.
#pragma once
#include <memory>
#include <string>

#include "blobs/blob_store.h"
#include "search/matrix_cache.h"
#include "search/score_matrix.h"

namespace k9::analysis {

class Matrices {
 public:
  Matrices(blobs::BlobStore& blobs, search::MatrixCache& cache) : blobs_(blobs), cache_(cache) {}

  static std::string key(const std::string& model_version, const std::string& reference_product_id);
  void save(std::shared_ptr<const search::ScoreMatrix> matrix);
  std::shared_ptr<const search::ScoreMatrix> load(const std::string& model_version,
                                                  const std::string& reference_product_id);
  void remove(const std::string& model_version, const std::string& reference_product_id);

 private:
  blobs::BlobStore& blobs_;
  search::MatrixCache& cache_;
};

}  // namespace k9::analysis
