#include "search/filter_index.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "catalog/snapshot/snapshot.h"

namespace k9::search {

uint32_t FilterIndex::Builder::Dictionary::code(std::string_view raw, std::string& scratch, uint32_t max_code) {
  normalise_value(raw, scratch);  // into a reused buffer: no allocation per row
  if (scratch.empty()) return 0;
  auto it = codes.find(scratch);
  if (it != codes.end()) return it->second;
  if (values.size() > max_code) throw std::length_error("search: too many distinct filter values");
  uint32_t c = uint32_t(values.size());
  values.push_back(scratch);
  codes.emplace(scratch, c);
  return c;
}

FilterIndex::Builder::Builder(size_t expected_rows) {
  brand_codes_.reserve(expected_rows);
  for (auto& c : category_codes_) c.reserve(expected_rows);
  price_min_.reserve(expected_rows);
  price_max_.reserve(expected_rows);
}

FilterIndex::Builder& FilterIndex::Builder::add(std::string_view brand,
                                                const std::array<std::string_view, kCategoryFieldCount>& category,
                                                float price_min, float price_max) {
  brand_codes_.push_back(brands_.code(brand, scratch_, UINT32_MAX - 1));
  for (size_t i = 0; i < kCategoryFieldCount; ++i)
    category_codes_[i].push_back(uint16_t(categories_[i].code(category[i], scratch_, UINT16_MAX)));
  price_min_.push_back(price_min);
  price_max_.push_back(price_max);
  return *this;
}

FilterIndex FilterIndex::Builder::build() && {
  FilterIndex x;
  x.brand_codes_ = std::move(brand_codes_);
  x.category_codes_ = std::move(category_codes_);
  x.brand_values_ = std::move(brands_.values);
  x.brand_lookup_ = std::move(brands_.codes);
  for (size_t i = 0; i < kCategoryFieldCount; ++i) {
    x.category_values_[i] = std::move(categories_[i].values);
    x.category_lookup_[i] = std::move(categories_[i].codes);
  }
  x.price_min_ = std::move(price_min_);
  x.price_max_ = std::move(price_max_);
  std::vector<uint32_t> order(x.brand_values_.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return x.brand_values_[a] < x.brand_values_[b]; });
  x.brand_rank_.resize(order.size());
  for (uint32_t r = 0; r < order.size(); ++r) x.brand_rank_[order[r]] = r;  // "" (code 0) sorts first: rank 0
  return x;
}

FilterIndex FilterIndex::from_snapshot(const catalog::snapshot::Snapshot& s) {
  const size_t n = s.size();
  Builder b(n);
  for (size_t i = 0; i < n; ++i) {
    const auto& r = s.record(i);
    b.add(s.text(r.brand),
          {s.text(r.type), s.text(r.material), s.text(r.look), s.text(r.texture), s.text(r.finish), s.text(r.edge)},
          r.price_min, r.price_max);
  }
  return std::move(b).build();
}

uint32_t FilterIndex::brand_code(const std::string& normalised) const {
  auto it = brand_lookup_.find(normalised);
  return it == brand_lookup_.end() ? 0 : it->second;
}

uint32_t FilterIndex::category_code(CategoryField f, const std::string& normalised) const {
  auto& m = category_lookup_[size_t(f)];
  auto it = m.find(normalised);
  return it == m.end() ? 0 : it->second;
}

size_t FilterIndex::bytes() const {
  size_t n = sizeof(*this) + brand_codes_.capacity() * sizeof(uint32_t) + brand_rank_.capacity() * sizeof(uint32_t) +
             (price_min_.capacity() + price_max_.capacity()) * sizeof(float);
  for (auto& c : category_codes_) n += c.capacity() * sizeof(uint16_t);
  // values are held twice: code -> value and value -> code (plus a hash node each)
  for (auto& v : brand_values_) n += 2 * (sizeof(v) + v.capacity()) + 32;
  for (auto& d : category_values_)
    for (auto& v : d) n += 2 * (sizeof(v) + v.capacity()) + 32;
  return n;
}

}  // namespace k9::search
