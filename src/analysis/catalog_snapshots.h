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
//  - Thread-safe.
#pragma once
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "catalog/snapshot/snapshot.h"
#include "repo/embedding_repository.h"
#include "repo/product_repository.h"
#include "search/filter_index.h"

namespace k9::analysis {

struct LoadedSnapshot {
  catalog::snapshot::Snapshot snapshot;
  search::FilterIndex filters;
};

class CatalogSnapshots {
 public:
  CatalogSnapshots(std::filesystem::path data, std::chrono::milliseconds recheck = std::chrono::seconds(1))
      : data_(std::move(data)), recheck_(recheck) {}

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
  };
  std::filesystem::path data_;
  std::chrono::milliseconds recheck_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace k9::analysis
