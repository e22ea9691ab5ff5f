// The export CSV layout read as a catalog (SPEC sections 3 and 5): the favorites.csv that
// export/favorites_zip.h writes, with images in images/NNN_Brand_Model[_REFERENCE]/MM.<ext>.
// CSV tokenising is libcsv's (Debian libcsv-dev; strict RFC 4180 quoting, CRLF or LF, fields
// spanning lines); this file maps records to products.
//  - The header names the columns (any order; a UTF-8 BOM is ignored); the 24 columns of SPEC
//    section 3 must be there, others (similarity_*) are ignored, and so is row_index.
//  - Consecutive rows with the same type, brand, series, model and category cells are one
//    product; within it, consecutive rows with the same format cells one format, each row's
//    vendor cells (when any is set) one vendor of it. A product without formats is one row
//    with the format and vendor cells empty.
//  - Rows of type REFERENCE are skipped (a user's reference is not a catalog product) and
//    counted; FAVORITE or an empty type is a product.
//  - Products are numbered in order of first appearance as the export numbers them: the
//    reference is 0 (present or not), the others 1, 2, ...; product N's images are the
//    files of the folder images/NNN_* (not *_REFERENCE), in name order (shorter names
//    first, so 2.jpg before 10.jpg), each an image whose id is its file name's stem.
//  - A text cell starting with ' followed by = + - @ or a tab loses the ' (the export adds it
//    so that spreadsheets do not run formulas; a value that really began with "'=" cannot be
//    told apart). Decimal cells are kept as exact decimal text (core/decimal.h, canonical).
//    vendor_discontinued is true, false (any case) or empty.
//  - The product id is "csv-" + the first 32 hex digits of the SHA-256 of brand, series and
//    model (joined by U+001F): stable across re-exports and row order. A second product with
//    the same brand, series and model in one file is refused, naming the first one's row.
//  - Problems name the row: its record number in the file, the header being row 1. A row
//    with the wrong number of cells, a bad number or a bad boolean fails its product (not
//    imported; an earlier import of it stays) and the rest goes on. Malformed quoting stops
//    the reading there: products read before it are imported, the one it cuts is not.
#pragma once
#include <filesystem>

#include "catalog/catalog_folder.h"

namespace k9::catalog {

struct CsvCatalog {
  std::vector<CatalogLine> lines;  // one per product, or per row that fails on its own
  size_t skipped = 0;              // REFERENCE rows
};

// Reads `csv` (inside `dir`, whose images/ folder holds the products' images). Throws
// k9::Error bad_request when the file cannot be read or its header lacks a column.
CsvCatalog read_csv_catalog(const std::filesystem::path& dir, const std::filesystem::path& csv);

// "csv-" + hex SHA-256 prefix of brand, series and model.
std::string csv_product_id(const std::string& brand, const std::string& series, const std::string& model);

}  // namespace k9::catalog
