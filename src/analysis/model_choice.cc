#include "analysis/model_choice.h"

#include <algorithm>
#include <vector>

#include "analysis/catalog_snapshots.h"
#include "catalog/snapshot/builder.h"
#include "catalog/snapshot/snapshot.h"
#include "core/domain.h"
#include "core/error.h"
#include "vision/extractors.h"

namespace k9::analysis {

namespace {

std::string reindex_command(const std::string& version) { return "k9 catalog reindex --model " + version; }

// The newest known version other than `except` that the catalog has; empty when none.
std::string newest_in_catalog(const std::string& except, const std::function<bool(const std::string&)>& catalog_has) {
  auto known = vision::model_versions();  // oldest first
  for (auto v = known.rbegin(); v != known.rend(); ++v)
    if (*v != except && catalog_has(*v)) return *v;
  return "";
}

}  // namespace

ModelVersionChoice choose_model_version(const std::optional<std::string>& set,
                                        const std::function<bool(const std::string&)>& catalog_has) {
  const std::string wanted = set ? *set : kNewAnalysisModelVersion;
  if (catalog_has(wanted)) return {wanted, ""};
  const std::string other = newest_in_catalog(wanted, catalog_has);
  if (other.empty()) return {wanted, ""};  // nothing imported yet: a fresh install
  if (set)
    throw Error(ErrorCode::bad_request,
                "the model version is set to " + wanted + " (K9_MODEL_VERSION or --model) but the catalog has no " +
                    wanted + " embeddings, only " + other + "'s: run `" + reindex_command(wanted) +
                    "` first, or leave the version unset to analyse with the one the catalog has");
  return {other, "the catalog has no " + wanted + " embeddings (the default model version), only " + other +
                     "'s: using " + other + " for new reports and imports; to upgrade, run `" +
                     reindex_command(wanted) + "` and restart the servers"};
}

bool catalog_has_version(const std::filesystem::path& data, blobs::BlobStore* remote,
                         repo::EmbeddingRepository& embeddings, const std::string& version) {
  auto local = catalog::snapshot::snapshot_path(data, version);
  std::error_code ec;
  if (std::filesystem::exists(local, ec)) {
    try {
      if (catalog::snapshot::Snapshot::open(local).size() > 0) return true;
    } catch (const std::exception&) {
      // unreadable: the store below says
    }
  }
  if (remote && remote->head(snapshot_key(version))) return true;
  return embeddings.has_catalog(version);
}

}  // namespace k9::analysis
