#include "analysis/catalog_snapshots.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>

#include "catalog/snapshot/builder.h"

namespace k9::analysis {

namespace fs = std::filesystem;

fs::path CatalogSnapshots::path(const std::string& model_version) const {
  return catalog::snapshot::snapshot_path(data_, model_version);
}

namespace {

using SysTime = std::chrono::system_clock::time_point;

SysTime to_sys(fs::file_time_type t) {
  return std::chrono::time_point_cast<SysTime::duration>(std::chrono::file_clock::to_sys(t));
}

void set_mtime(const fs::path& file, SysTime t) { fs::last_write_time(file, std::chrono::file_clock::from_sys(t)); }

void sync_file(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + file.string());
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    throw std::system_error(err, std::generic_category(), "fsync " + file.string());
  }
  ::close(fd);
}

}  // namespace

std::string snapshot_key(const std::string& model_version) { return "snapshots/" + model_version + ".k9snap"; }

bool publish_snapshot(blobs::BlobStore& remote, const std::string& model_version, const fs::path& file) {
  auto key = snapshot_key(model_version);
  auto size = fs::file_size(file);
  auto local = to_sys(fs::last_write_time(file));
  auto info = remote.head(key);
  if (info && info->size == size && info->last_modified >= local) return false;
  remote.put_file(key, file, "application/octet-stream");
  if (auto after = remote.head(key)) set_mtime(file, after->last_modified);
  return true;
}

bool fetch_snapshot(blobs::BlobStore& remote, const std::string& model_version, const fs::path& file) {
  auto key = snapshot_key(model_version);
  auto info = remote.head(key);
  if (!info) return false;
  std::error_code ec;
  auto mtime = fs::last_write_time(file, ec);
  if (!ec) {
    auto local = to_sys(mtime);
    auto size = fs::file_size(file, ec);
    if (!ec && (info->last_modified < local || (info->last_modified == local && info->size == size))) return false;
  }
  static std::atomic<unsigned> counter{0};
  fs::create_directories(file.parent_path());
  fs::path tmp = file;
  tmp += ".download-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  try {
    // Streamed to the file, never whole in memory (a 100k-product snapshot in a 512 MB Lambda).
    auto got = remote.get_to_file(key, tmp);
    if (!got) return false;
    sync_file(tmp);
    set_mtime(tmp, got->last_modified);
    fs::rename(tmp, file);  // readers see the old file or the new one, never half of one
  } catch (...) {
    fs::remove(tmp, ec);
    throw;
  }
  return true;
}

void CatalogSnapshots::sync_remote(const std::string& model_version) {
  auto due = [&] {
    std::lock_guard lock(mutex_);
    auto& e = entries_[model_version];
    return e.remote_checked == std::chrono::steady_clock::time_point{} ||
           std::chrono::steady_clock::now() - e.remote_checked >= remote_recheck_;
  };
  if (!due()) return;
  fs::path file = path(model_version);
  std::unique_lock sync(sync_mutex_, std::defer_lock);
  if (fs::exists(file)) {
    if (!sync.try_lock()) return;  // another caller is fetching; go on with the local copy
  } else {
    sync.lock();  // nothing to serve yet: wait for the first fetch
  }
  if (!due()) return;  // fetched by the caller we waited for
  {
    std::lock_guard lock(mutex_);
    entries_[model_version].remote_checked = std::chrono::steady_clock::now();
  }
  try {
    if (fetch_snapshot(*remote_, model_version, file)) {
      spdlog::info("catalog snapshot {} fetched from the blob store ({})", file.string(), snapshot_key(model_version));
      std::lock_guard lock(mutex_);
      entries_[model_version].checked = {};  // map it now
    }
  } catch (const std::exception& ex) {
    spdlog::warn("catalog snapshot {}: not fetched from the blob store: {}", model_version, ex.what());
  }
}

std::shared_ptr<const LoadedSnapshot> CatalogSnapshots::current(const std::string& model_version) {
  if (remote_) sync_remote(model_version);
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
