#include "analysis/catalog_snapshots.h"

#include <spdlog/spdlog.h>

#include "catalog/snapshot/builder.h"

namespace k9::analysis {

namespace fs = std::filesystem;

fs::path CatalogSnapshots::path(const std::string& model_version) const {
  return catalog::snapshot::snapshot_path(data_, model_version);
}

std::shared_ptr<const LoadedSnapshot> CatalogSnapshots::current(const std::string& model_version) {
  std::lock_guard lock(mutex_);
  auto& e = entries_[model_version];
  auto now = std::chrono::steady_clock::now();
  if (e.loaded && now - e.checked < recheck_) return e.loaded;
  e.checked = now;
  fs::path file = path(model_version);
  std::error_code ec;
  auto mtime = fs::last_write_time(file, ec);
  if (ec) {
    e.loaded = nullptr;  // no catalog of this version (yet)
    return nullptr;
  }
  auto size = fs::file_size(file, ec);
  if (e.loaded && mtime == e.mtime && size == e.size) return e.loaded;
  try {
    auto snap = catalog::snapshot::Snapshot::open(file);
    auto filters = search::FilterIndex::from_snapshot(snap);
    e.loaded = std::make_shared<const LoadedSnapshot>(LoadedSnapshot{std::move(snap), std::move(filters)});
    e.mtime = mtime;
    e.size = size;
    spdlog::info("catalog snapshot {}: {} products", file.string(), e.loaded->snapshot.size());
  } catch (const std::exception& ex) {
    // Half-written files never appear (they are renamed into place); a bad one keeps the
    // previous snapshot serving and says so.
    spdlog::error("catalog snapshot {} unreadable: {}", file.string(), ex.what());
  }
  return e.loaded;
}

void CatalogSnapshots::ensure(repo::ProductRepository& products, repo::EmbeddingRepository& embeddings,
                              const std::string& model_version) {
  auto r = catalog::snapshot::ensure_snapshot(products, embeddings, model_version, path(model_version));
  if (r.rebuilt) spdlog::info("catalog snapshot {} rebuilt: {} products", model_version, r.products);
}

}  // namespace k9::analysis
