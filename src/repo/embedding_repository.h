// Embeddings (table `embeddings`, key product_id + model_version, index ModelVersionIndex:
// model_version + product_id). Several model versions of one product coexist.
//
// Item layout, compatible with the Python generation: product_id, model_version,
// embedding_vector, vector_dimension, created_at. K9 writes embedding_vector as binary (B):
// little-endian float32, one vector per analysed image, concatenated (image_count of them,
// each vector_dimension long), and adds image_count and source_hash (the hash of what the
// vectors were computed from). It reads that and the Python generation's form: a list (L)
// of numbers, one vector.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "repo/tables.h"
#include "store/store.h"

namespace k9::repo {

struct Embedding {
  std::string product_id, model_version;
  size_t dimension = 0;
  std::vector<float> vectors;  // count() vectors of `dimension` floats
  std::string source_hash;
  std::string created_at;
  // The user whose report's reference product this is (attribute user_id); empty for a
  // catalog product. Snapshots leave owned embeddings out.
  std::string owner;
  size_t count() const { return dimension ? vectors.size() / dimension : 0; }
};

// float32 little-endian bytes <-> floats (independent of the machine's byte order).
std::string encode_float32_le(const std::vector<float>& v);
std::vector<float> decode_float32_le(const std::string& bytes);

class EmbeddingRepository {
 public:
  EmbeddingRepository(store::Store& store, const Tables& tables, const Clock& clock = Clock::system())
      : store_(store), tables_(tables), clock_(clock) {}

  // Creates or replaces the embedding of (product_id, model_version); sets created_at.
  // Throws std::invalid_argument when vectors is empty or not a multiple of dimension.
  void put(Embedding e);
  std::optional<Embedding> get(const std::string& product_id, const std::string& model_version);
  void remove(const std::string& product_id, const std::string& model_version);
  // Every embedding of a model version, in product id order, read page by page.
  void for_each(const std::string& model_version, const std::function<void(const Embedding&)>& fn);
  // Whether some embedding of a model version is a catalog product's (not a report's, which
  // carries a user_id): reads the index until the first one, so a catalog of that version
  // answers on its first page (only reports' embeddings are read past).
  bool has_catalog(const std::string& model_version);
  // Throws std::invalid_argument naming the attribute when an item cannot be read.
  static Embedding from_item(const store::Item& item);

 private:
  // Pages through the ModelVersionIndex of `model_version` until `fn` answers false.
  void each_item(const std::string& model_version, int page_size, const std::function<bool(const store::Item&)>& fn);

  store::Store& store_;
  Tables tables_;
  const Clock& clock_;
};

}  // namespace k9::repo
