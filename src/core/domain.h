// The domain of K9 (SPEC section 1), described once per struct with Boost.Describe so that
// JSON (core/json_codec.h) and store items (repo/item_codec.h) are derived, not hand-written.
// Member names are the store's attribute names (snake_case); JSON uses their camelCase.
#pragma once
#include <boost/describe.hpp>
#include <optional>
#include <string>
#include <vector>

namespace k9 {

// An exact decimal number (canonical text, see core/decimal.h).
struct Decimal {
  std::string text = "0";
  friend bool operator==(const Decimal&, const Decimal&) = default;
};

struct Dimension {
  Decimal val;
  std::string unit;  // "in" | "none" (length, width), "mm" (thickness), "usd" (price)
};
BOOST_DESCRIBE_STRUCT(Dimension, (), (val, unit))

struct Vendor {
  std::string sku, store, name;
  std::optional<Dimension> price;
  std::optional<bool> discontinued;
  std::string url;
};
BOOST_DESCRIBE_STRUCT(Vendor, (), (sku, store, name, price, discontinued, url))

struct Format {
  std::optional<Dimension> length, width, thickness;
  std::vector<Vendor> vendors;
};
BOOST_DESCRIBE_STRUCT(Format, (), (length, width, thickness, vendors))

struct Category {
  std::optional<std::string> type, material, look, texture, finish, edge;
};
BOOST_DESCRIBE_STRUCT(Category, (), (type, material, look, texture, finish, edge))

struct Size2 { Decimal width, height; };
BOOST_DESCRIBE_STRUCT(Size2, (), (width, height))
struct Point2 { Decimal x, y; };
BOOST_DESCRIBE_STRUCT(Point2, (), (x, y))
struct Quaternion { Decimal x, y, z, w; };
BOOST_DESCRIBE_STRUCT(Quaternion, (), (x, y, z, w))

struct Selection {
  Size2 shape;
  Point2 position;
  Decimal scale;
  Quaternion rotation;
};
BOOST_DESCRIBE_STRUCT(Selection, (), (shape, position, scale, rotation))

struct ProductImage {
  std::string id, url;
  std::optional<std::string> mask;
  std::optional<Selection> selection;
};
BOOST_DESCRIBE_STRUCT(ProductImage, (), (id, url, mask, selection))

struct Product {
  std::string id;
  std::optional<std::string> brand, series;
  std::string model;
  std::vector<ProductImage> images;
  Category category;
  std::vector<Format> formats;
};
BOOST_DESCRIBE_STRUCT(Product, (), (id, brand, series, model, images, category, formats))

struct Preferences {
  std::optional<std::string> default_report_title;
  std::optional<bool> auto_save_favorites;
  std::optional<std::string> export_format;
};
BOOST_DESCRIBE_STRUCT(Preferences, (), (default_report_title, auto_save_favorites, export_format))

struct User {
  std::string id;  // the token's sub; stored as user_id
  std::string name, email, avatar_url;
  Preferences preferences;
  std::string created_at, updated_at;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name, email, avatar_url, preferences, created_at, updated_at))

struct Analysis {
  std::string status = "pending";  // pending | running | ready | failed
  std::string model_version;
  std::optional<std::string> error;
};
BOOST_DESCRIBE_STRUCT(Analysis, (), (status, model_version, error))

struct Report {
  std::string id, title, author, date;
  Product reference;
  std::vector<std::string> favorites;
  Analysis analysis;
  std::string created_at, updated_at;
};
BOOST_DESCRIBE_STRUCT(Report, (), (id, title, author, date, reference, favorites, analysis, created_at, updated_at))

// Two different model versions, not to be confused (docs/VISION.md, "Choosing the version"):
//  - kUnstampedModelVersion: what a report analysis or embedding that names no model version
//    was made with (everything before versions were stamped was k9-classic-1). Reading old
//    records only; it never changes.
//  - kNewAnalysisModelVersion: the default for new analyses, `k9 catalog import` and reindex,
//    the best measured (BENCHMARKS.md); a server whose catalog lacks it and whose version is
//    not set analyses with the version the catalog has (analysis/model_choice.h).
inline constexpr const char* kUnstampedModelVersion = "k9-classic-1";
inline constexpr const char* kNewAnalysisModelVersion = "k9-classic-2";

// The version a record stamped with `stamped` was made with: kUnstampedModelVersion when empty.
inline std::string made_with_model_version(const std::string& stamped) {
  return stamped.empty() ? kUnstampedModelVersion : stamped;
}

}  // namespace k9
