// The Python generation's embeddings: its first tables were keyed by product_id alone (one
// vector per product, as its DuckDB table was), with embedding_vector a list of numbers and
// model_version an ordinary attribute, or none. SPEC section 2's key is product_id +
// model_version. A migration rewrites such an item to that key: an item without
// model_version gets `model_version` (k9 migrate --legacy-embeddings-model, default
// kLegacyEmbeddingsModel), one with it keeps its own. Everything else stays as it is (K9 reads
// list vectors: repo/embedding_repository.h). No I/O here.
#pragma once
#include <string>

#include "store/item.h"

namespace k9::migrate {

// Not a model K9 computes, so the vectors never mix with k9-classic-1's in a catalog snapshot
// or a search; they stay readable through the embedding repository under this version.
inline constexpr const char* kLegacyEmbeddingsModel = "python-legacy";

// `item` with SPEC's key. Throws Error(bad_request) naming the product when its model_version
// is not a string, or the item has no product_id.
store::Item with_spec_embedding_key(store::Item item, const std::string& model_version);

}  // namespace k9::migrate
