// A packed catalog snapshot, memory-mapped read-only (snapshot_format.h). Opening checks the
// magic, the format version, the size and that every offset lies inside the file; a bad file
// throws std::runtime_error naming the problem, never reads out of bounds.
#pragma once
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "catalog/snapshot/snapshot_format.h"

namespace k9::catalog::snapshot {

class Snapshot {
 public:
  static Snapshot open(const std::filesystem::path& path);
  Snapshot(Snapshot&& other) noexcept;
  Snapshot& operator=(Snapshot&& other) noexcept;
  Snapshot(const Snapshot&) = delete;
  ~Snapshot();

  std::string_view model_version() const;
  size_t dimension() const { return header().dimension; }
  size_t size() const { return header().product_count; }
  const Header& header() const { return *reinterpret_cast<const Header*>(data_); }
  const ProductRecord& record(size_t i) const { return records_[i]; }
  std::string_view text(StringRef ref) const { return {strings_ + ref.offset, ref.length}; }
  std::string_view product_id(size_t i) const { return text(records_[i].id); }
  // The vectors of product i: record(i).vector_count * dimension() floats.
  std::span<const float> vectors(size_t i) const;
  std::span<const float> vector(size_t i, size_t k) const { return vectors(i).subspan(k * dimension(), dimension()); }

 private:
  Snapshot(const char* data, size_t size);
  const char* data_ = nullptr;
  size_t size_ = 0;
  const ProductRecord* records_ = nullptr;
  const char* strings_ = nullptr;
  const float* vectors_ = nullptr;
};

}  // namespace k9::catalog::snapshot
