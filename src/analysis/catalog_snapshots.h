// The current packed catalog snapshot of each model version (catalog/snapshot), mapped once
// and shared by analysis and search, with the filter index search reads beside it.
//
// Contract:
//  - current() answers the snapshot file as it is now, or nullptr when the catalog has no
//    product of that version (no file). `k9 catalog import` (another process) renames a new
//    file over the old one: current() notices (file identity and time, looked at no more than
//    once per `recheck`) and maps the new one; holders of the old one keep reading it until
//    they let go, so a search in flight never sees a file change under it.
//  - ensure() builds the file from the store when it is missing or out of date (k9 serve
//    at start: a DynamoDB deployment or a data folder without one).
//  - With a remote blob store (AWS mode: S3), the snapshot is also kept there, at
//    snapshot_key() (`k9 catalog import` publishes it): current() looks at the remote object
//    at most once per `remote_recheck` and, when it is newer than the local copy (last
//    modified later, or as late with another size) or there is no local copy, downloads it
//    to a temporary file beside the local path, dates it with the remote's last_modified and
//    renames it into place, then maps it as above. Only the first fetch of a server without
//    a local copy waits; later ones run on one caller's thread while the others go on with
//    the mapped snapshot. A remote fault is logged and looked at again after `remote_recheck`.
//  - Thread-safe.
#pragma once
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "blobs/blob_store.h"
#include "catalog/snapshot/snapshot.h"
#include "repo/embedding_repository.h"
#include "repo/product_repository.h"
#include "search/filter_index.h"

namespace k9::analysis {

struct LoadedSnapshot {
  catalog::snapshot::Snapshot snapshot;
  search::FilterIndex filters;
  // True when `m` was scored against this very snapshot (its rows are this snapshot's).
  bool scored(const search::ScoreMatrix& m) const {
    return std::equal(m.snapshot_fingerprint.begin(), m.snapshot_fingerprint.end(), snapshot.header().fingerprint);
  }
};

class CatalogSnapshots {
 public:
  CatalogSnapshots(std::filesystem::path data, std::chrono::milliseconds recheck = std::chrono::seconds(1),
                   blobs::BlobStore* remote = nullptr,
                   std::chrono::milliseconds remote_recheck = std::chrono::minutes(1))
      : data_(std::move(data)), recheck_(recheck), remote_(remote), remote_recheck_(remote_recheck) {}

  std::shared_ptr<const LoadedSnapshot> current(const std::string& model_version);
  void ensure(repo::ProductRepository& products, repo::EmbeddingRepository& embeddings,
              const std::string& model_version);
  std::filesystem::path path(const std::string& model_version) const;

 private:
  struct Entry {
    std::shared_ptr<const LoadedSnapshot> loaded;
    std::filesystem::file_time_type mtime{};
    uintmax_t size = 0;
    std::chrono::steady_clock::time_point checked{};
    std::chrono::steady_clock::time_point remote_checked{};
  };
  void sync_remote(const std::string& model_version);

  std::filesystem::path data_;
  std::chrono::milliseconds recheck_;
  blobs::BlobStore* remote_;
  std::chrono::milliseconds remote_recheck_;
  std::mutex sync_mutex_;  // one download at a time
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

// The snapshot of a model version in the blob store: snapshots/<model_version>.k9snap.
std::string snapshot_key(const std::string& model_version);

// Uploads the local snapshot `file` (BlobStore::put_file: durable) unless the remote object
// already is this file (same size, last modified no earlier than the file), then dates the
// file with the remote's last_modified so that the next run finds them equal. Answers
// whether it uploaded. Throws blobs::Unavailable on a remote fault.
bool publish_snapshot(blobs::BlobStore& remote, const std::string& model_version, const std::filesystem::path& file);

// Downloads the remote snapshot to `file` when it is newer (see CatalogSnapshots) or `file`
// is missing: temporary file, fsync, dated with the remote's last_modified, renamed into
// place. Answers whether it downloaded. Throws blobs::Unavailable on a remote fault.
bool fetch_snapshot(blobs::BlobStore& remote, const std::string& model_version, const std::filesystem::path& file);

}  // namespace k9::analysis
