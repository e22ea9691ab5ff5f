// A packed catalog snapshot, memory-mapped read-only (snapshot_format.h, format version 2).
// Opening checks the magic, the format version, the size, that every offset lies inside the
// file and every palette code and term inside its table; a bad file throws
// std::runtime_error naming the problem, never reads out of bounds.
#pragma once
#include <array>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/snapshot/display.h"
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
  size_t vector_count() const { return header().vector_count; }
  size_t file_size() const { return size_; }
  const Header& header() const { return *reinterpret_cast<const Header*>(data_); }
  const ProductRecord& record(size_t i) const { return records_[i]; }
  std::string_view text(StringRef ref) const { return {strings_ + ref.offset, ref.length}; }
  std::string_view product_id(size_t i) const { return text(records_[i].id); }
  // A normalised category value (writer.h normalised_term) by its 1-based term number; "" for 0.
  std::string_view term(uint16_t t) const { return t == 0 ? std::string_view() : text(terms_[t - 1]); }
  size_t term_count() const { return header().term_count; }

  // The quantised vectors: vector v is lane v % kLanes of block v / kLanes; product i's are
  // record(i).first_vector .. + record(i).vector_count.
  std::span<const PaletteEntry> palette() const { return {palette_, header().palette_count}; }
  std::span<const VectorBlock> blocks() const { return {blocks_, (vector_count() + kLanes - 1) / kLanes}; }
  // Vector k of product i, reconstructed as floats (palette colours, squared bytes): what the
  // scorer sees, for tests and tools. vision::kDimension floats.
  std::array<float, 90> dequantised(size_t i, size_t k) const;

  // Display values of product i, from its first photo (display.h); zeros without photos.
  Display display(size_t i) const;

  // What scoring (search/scorer.h) reads of every product, as columns derived from the records
  // when the file is opened (the records are 112 bytes apart; these take 21 bytes a product,
  // plus the padded ids): first_vector has product_count + 1 entries, product i's vectors being
  // first_vector[i] .. first_vector[i + 1]; ids are the product ids, each padded with '\0' to
  // max(1, max_id_length) bytes, concatenated (search::ScoreMatrix::ids).
  struct ScoringColumns {
    std::vector<uint32_t> first_vector;
    std::vector<uint16_t> type_term, material_term;
    std::vector<uint8_t> unitless;
    std::vector<float> length_mm, width_mm, thickness_mm;
    std::string ids;
  };
  const ScoringColumns& scoring() const { return scoring_; }

 private:
  Snapshot(const char* data, size_t size);
  const char* data_ = nullptr;
  size_t size_ = 0;
  const ProductRecord* records_ = nullptr;
  const StringRef* terms_ = nullptr;
  const char* strings_ = nullptr;
  const PaletteEntry* palette_ = nullptr;
  const VectorBlock* blocks_ = nullptr;
  ScoringColumns scoring_;
};

}  // namespace k9::catalog::snapshot
