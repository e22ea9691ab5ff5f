// Writes a v2 catalog snapshot (snapshot_format.h) from products' attributes and float
// vectors, without a store: build_snapshot() (builder.h) reads the store and calls it;
// tests and benchmarks call it directly. The vectors are quantised here (palette, square-root
// bytes); the file is written beside its final path, synced and renamed over it.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/domain.h"

namespace k9::catalog::snapshot {

struct Entry {
  std::string id;
  std::optional<std::string> brand;
  Category category;
  float price_min = std::numeric_limits<float>::quiet_NaN();  // usd
  float price_max = std::numeric_limits<float>::quiet_NaN();
  std::optional<Dimension> length, width, thickness;  // the first format's
  std::vector<float> vectors;  // k9-classic-1 vectors (vision::kDimension floats each), one per photo

  // The attributes of a catalog product (price range over every vendor of every format).
  static Entry of(const Product& product, std::vector<float> vectors);
};

struct WriteResult {
  size_t products = 0, vectors = 0, palette = 0;
};

// Entries may come in any order (the file is in id order); ids must be unique. Throws
// std::invalid_argument for bad entries (a vector that is not vision::kDimension floats), and
// std::runtime_error when the file cannot be written.
WriteResult write_snapshot(const std::filesystem::path& file, const std::string& model_version,
                           const std::array<uint8_t, 16>& fingerprint, std::span<const Entry> entries);

// The normalised form of a category value (trimmed of spaces and tabs, ASCII lower case),
// as vision/scores.h compares them.
std::string normalised_term(std::string_view s);

}  // namespace k9::catalog::snapshot
