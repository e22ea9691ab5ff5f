#include "catalog/reindex.h"

#include <set>

#include "catalog/product_runner.h"
#include "core/error.h"
#include "vision/extractors.h"

namespace k9::catalog {

namespace {

// The catalog products that have an embedding of a version other than `version`.
std::vector<std::string> catalog_ids(repo::EmbeddingRepository& embeddings, const std::string& version) {
  std::set<std::string> ids;
  for (auto& other : vision::model_versions())
    if (other != version)
      embeddings.for_each(other, [&](const repo::Embedding& e) {
        if (e.owner.empty()) ids.insert(e.product_id);
      });
  return {ids.begin(), ids.end()};
}

std::string blob_bytes(blobs::BlobStore& images, const std::string& key) {
  auto b = images.get(key);
  if (!b) throw std::runtime_error("not in the file store");
  return std::move(b->bytes);
}

Outcome reindex_one(const std::string& id, repo::ProductRepository& products, repo::EmbeddingRepository& embeddings,
                    blobs::BlobStore& images, const vision::Extractor& extractor,
                    const Problem& problem, size_t& analysed,
                    size_t& image_errors) {
  auto p = products.get(id);
  if (!p) return Outcome::unchanged;  // an embedding without its product: nothing to index
  auto version = extractor.model_version();
  auto existing = embeddings.get(id, version);
  if (existing && existing->source_hash == p->content_hash) return Outcome::unchanged;
  repo::Embedding e{id, version, extractor.dimension(), {}, p->content_hash, ""};
  for (auto& image : p->product.images) {
    vision::ExtractorInput input;
    std::string bytes, mask;
    try {
      bytes = blob_bytes(images, image.url);
      input.image = bytes;
      if (image.mask) mask = blob_bytes(images, *image.mask), input.mask = mask;
      if (image.selection) input.selection = to_vision_selection(*image.selection);
      ++analysed;
      auto f = extractor.extract(input);
      e.vectors.insert(e.vectors.end(), f.vector.begin(), f.vector.end());
    } catch (const Error&) {
      throw;  // the blob store: not this product's fault
    } catch (const std::exception& ex) {
      ++image_errors;
      problem(id, "image " + image.url + ": " + ex.what());
    }
  }
  if (e.vectors.empty()) {
    if (existing) embeddings.remove(id, version);
    problem(id, p->product.images.empty() ? "has no images to analyse" : "no image could be analysed; no embedding");
    return Outcome::failed;
  }
  embeddings.put(std::move(e));
  return existing ? Outcome::updated : Outcome::added;
}

}  // namespace

ImportSummary reindex_catalog(repo::ProductRepository& products, repo::EmbeddingRepository& embeddings,
                              blobs::BlobStore& images, const vision::Extractor& extractor, ImportListener& listener,
                              int workers) {
  const auto ids = catalog_ids(embeddings, extractor.model_version());
  ImportSummary summary;
  summary.total = ids.size();
  run_products(ids.size(), workers, listener, summary,
               [&](size_t i, const Problem& problem, size_t& analysed, size_t& image_errors) {
                 return reindex_one(ids[i], products, embeddings, images, extractor, problem, analysed, image_errors);
               });
  return summary;
}

}  // namespace k9::catalog
