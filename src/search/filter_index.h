// The catalog attributes search filters on, one row per snapshot product, in the snapshot's
// order (= the ScoreMatrix rows of a matrix scored against that snapshot), as columns:
// brand and the six category fields dictionary-encoded (values normalised by
// search::normalise_value; code 0 = missing/empty), the price range in USD (NaN = missing).
// Built once per snapshot and shared read-only by every search on it. No I/O here.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "search/query.h"

namespace k9::catalog::snapshot {
class Snapshot;
}

namespace k9::search {

class FilterIndex {
 public:
  // Adds rows one at a time (tests, benches; from_snapshot uses it too).
  class Builder {
   public:
    explicit Builder(size_t expected_rows = 0);
    // Values are normalised here; empty = missing. Throws std::length_error past 65,535
    // distinct values of one category field or 2^32-1 brands.
    Builder& add(std::string_view brand, const std::array<std::string_view, kCategoryFieldCount>& category,
                 float price_min, float price_max);
    FilterIndex build() &&;

   private:
    struct Dictionary {
      std::unordered_map<std::string, uint32_t> codes;
      std::vector<std::string> values{""};
      uint32_t code(std::string_view raw, std::string& scratch, uint32_t max_code);
    };
    Dictionary brands_;
    std::array<Dictionary, kCategoryFieldCount> categories_;
    std::vector<uint32_t> brand_codes_;
    std::array<std::vector<uint16_t>, kCategoryFieldCount> category_codes_;
    std::vector<float> price_min_, price_max_;
    std::string scratch_;
  };

  // Reads size() and each record's brand, type, material, look, texture, finish, edge,
  // price_min and price_max.
  static FilterIndex from_snapshot(const catalog::snapshot::Snapshot& snapshot);

  FilterIndex() = default;
  size_t size() const { return price_min_.size(); }

  std::span<const uint32_t> brand_codes() const { return brand_codes_; }
  std::span<const uint16_t> category_codes(CategoryField f) const { return category_codes_[size_t(f)]; }
  // code -> normalised value; [0] is "" (missing).
  const std::vector<std::string>& brand_values() const { return brand_values_; }
  const std::vector<std::string>& category_values(CategoryField f) const { return category_values_[size_t(f)]; }
  // The code of a normalised value, 0 when no row has it.
  uint32_t brand_code(const std::string& normalised) const;
  uint32_t category_code(CategoryField f, const std::string& normalised) const;
  // code -> rank of its value in ascending byte order (0 = missing), for sorting by brand.
  const std::vector<uint32_t>& brand_rank() const { return brand_rank_; }
  std::span<const float> price_min() const { return price_min_; }
  std::span<const float> price_max() const { return price_max_; }
  size_t bytes() const;

 private:
  std::vector<uint32_t> brand_codes_;
  std::array<std::vector<uint16_t>, kCategoryFieldCount> category_codes_;
  std::vector<std::string> brand_values_;
  std::array<std::vector<std::string>, kCategoryFieldCount> category_values_;
  std::unordered_map<std::string, uint32_t> brand_lookup_;
  std::array<std::unordered_map<std::string, uint32_t>, kCategoryFieldCount> category_lookup_;
  std::vector<uint32_t> brand_rank_;
  std::vector<float> price_min_, price_max_;
};

}  // namespace k9::search
