// Which model version a server analyses new reports with, and `k9 catalog import` writes
// (docs/VISION.md, "Choosing the version").
//
// Contract:
//  - Set (K9_MODEL_VERSION or --model): that version. When the catalog has none of it but has
//    another known version, a server refuses to start (k9::Error bad_request naming
//    `k9 catalog reindex --model V`): it would find no product. An empty catalog (nothing
//    imported yet) is no reason to refuse.
//  - Not set: kNewAnalysisModelVersion when the catalog has it or has no known version (a
//    fresh install); else the newest known version the catalog has, with a warning naming the
//    command that upgrades (every deployment made before k9-classic-2 became the default).
//  - Cheap: catalog_has_version() looks at the snapshot's header, the snapshot object's
//    metadata (HEAD) and the first page of the ModelVersionIndex, never at the catalog.
#pragma once
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "blobs/blob_store.h"
#include "repo/embedding_repository.h"

namespace k9::analysis {

struct ModelVersionChoice {
  std::string version;
  std::string warning;  // non-empty: the catalog lacks the default; `version` is one it has
};

// `set`: the version the configuration names, or nullopt. `catalog_has(v)`: whether the
// catalog has products of v (catalog_has_version()), asked of vision::model_versions() only.
ModelVersionChoice choose_model_version(const std::optional<std::string>& set,
                                        const std::function<bool(const std::string&)>& catalog_has);

// Whether the catalog has products of `version`: its local snapshot (<data>/snapshots/)
// holds some, or the blob store `remote` (AWS mode; nullptr: none) has its snapshot, or the
// store has an embedding of it that is not a report's (EmbeddingRepository::has_catalog).
bool catalog_has_version(const std::filesystem::path& data, blobs::BlobStore* remote,
                         repo::EmbeddingRepository& embeddings, const std::string& version);

}  // namespace k9::analysis
