// A catalog folder (SPEC section 5): products.jsonl, one Product per line, whose image and
// mask urls are paths relative to the folder; or, when there is no products.jsonl, the export
// CSV layout (SPEC section 3, catalog_csv.h): favorites.csv, else the folder's only *.csv, with
// images in images/NNN_Brand_Model/. Reading is strict per line (per product of a CSV) and
// forgiving across them: a bad line, row or missing file is reported and the rest goes on.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/domain.h"

namespace k9::catalog {

// One product to import.
struct CatalogLine {
  size_t number = 0;           // 1-based line number in products.jsonl; a CSV product's first row
  std::string text;            // the line as read; a CSV product as JSON (the same Product form)
  std::string where;           // "line N" or "row N": where a problem is
  std::string id;              // the product id when known before parsing (CSV), else ""
  std::string problem;         // CSV: why this product or row cannot be imported ("row 7: ...")
  // Who problems are reported against: the product id when known, else `where`.
  const std::string& subject() const { return id.empty() ? where : id; }
};

struct CatalogSource {
  std::filesystem::path file;  // products.jsonl or the CSV read
  bool csv = false;
  std::vector<CatalogLine> lines;
  size_t skipped = 0;          // CSV: REFERENCE rows (a user's reference is not a catalog product)
};

// The folder's products: products.jsonl when there is one, else the CSV (catalog_csv.h).
// Throws k9::Error bad_request when there is neither, several CSV files and no
// favorites.csv, or a CSV without the columns of SPEC section 3.
CatalogSource read_catalog(const std::filesystem::path& dir);

// Non-empty lines of dir/products.jsonl. Throws k9::Error bad_request when the file is missing.
std::vector<CatalogLine> read_catalog_lines(const std::filesystem::path& dir);

// Parses and validates one line (strict JSON decoding, numbers kept as exact decimals, an id
// of 1..128 of [A-Za-z0-9._:-]). Throws k9::Error bad_request naming the field.
Product parse_catalog_product(const CatalogLine& line);

// The bytes of a file named by a url relative to `dir`. Throws k9::Error bad_request for an
// absolute url or one leaving the folder (".."), and for a file that cannot be read.
std::string read_catalog_file(const std::filesystem::path& dir, const std::string& url);

}  // namespace k9::catalog
