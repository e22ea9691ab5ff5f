// The similarity matrices searches read, kept in memory between requests: a thread-safe
// LRU of immutable matrices within a byte budget (ScoreMatrix::bytes()), keyed by a string
// (the matrix's blob key). A matrix is loaded once even when several threads ask for it at
// the same time: the first runs the loader, the others wait for its result (or its
// exception, which every waiter then sees; the next call tries again). No I/O here: the
// loader does it.
//
// The budget counts what the cache holds; a matrix still used by a search after its eviction
// lives until that search drops it. A matrix larger than the whole budget is returned to its
// callers but not kept. erase() during a load makes that load's result not kept either.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "search/score_matrix.h"

namespace k9::search {

class MatrixCache {
 public:
  using Matrix = std::shared_ptr<const ScoreMatrix>;
  using Loader = std::function<Matrix()>;

  explicit MatrixCache(size_t budget_bytes);
  MatrixCache(const MatrixCache&) = delete;
  MatrixCache& operator=(const MatrixCache&) = delete;

  // The cached matrix of `key` (now the most recently used), else the loader's, which is
  // kept when it fits. A null result from the loader is std::logic_error.
  Matrix get_or_load(const std::string& key, const Loader& loader);
  // The cached matrix or null; does not load.
  Matrix find(const std::string& key);
  void erase(const std::string& key);
  void clear();

  size_t bytes() const;   // held now, <= budget()
  size_t budget() const { return budget_; }
  size_t size() const;    // matrices held

 private:
  struct Entry {
    std::string key;
    Matrix matrix;
    size_t bytes;
  };
  struct Load;  // one loader run that others wait on

  void insert_locked(const std::string& key, const Matrix& m);
  void evict_until_fits_locked(size_t incoming);

  const size_t budget_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> entries_;
  std::unordered_map<std::string, std::shared_ptr<Load>> loading_;
  size_t bytes_ = 0;
};

}  // namespace k9::search
