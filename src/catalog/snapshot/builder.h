// Builds the packed catalog snapshot of one model version from the store: every catalog
// product with an embedding of that version (ModelVersionIndex; reports' reference products
// are left out), in product id order, with the attributes search filters on (brand,
// category, price range, first format's dimensions) and all its vectors, quantised
// (snapshot_format.h, format version 2; writer.h writes the file).
//
// The fingerprint is the SHA-256 of every (product_id, source_hash, created_at) of the catalog's
// embeddings of the version (those of reports' reference products, which carry a user_id, are
// left out): any import that changes an embedding changes it. ensure_snapshot()
// rebuilds only when the file is missing, unreadable or of another fingerprint. The file is
// written beside its final path and renamed over it (readers never see half a file; a
// process that has the old one mapped keeps reading it).
#pragma once
#include <filesystem>
#include <string>

#include "repo/embedding_repository.h"
#include "repo/product_repository.h"

namespace k9::catalog::snapshot {

struct BuildResult {
  size_t products = 0, vectors = 0;
  bool rebuilt = false;
};

BuildResult build_snapshot(repo::ProductRepository& products, repo::EmbeddingRepository& embeddings,
                           const std::string& model_version, const std::filesystem::path& file);
BuildResult ensure_snapshot(repo::ProductRepository& products, repo::EmbeddingRepository& embeddings,
                            const std::string& model_version, const std::filesystem::path& file);

// <data>/snapshots/<model_version>.k9snap
std::filesystem::path snapshot_path(const std::filesystem::path& data, const std::string& model_version);

}  // namespace k9::catalog::snapshot
