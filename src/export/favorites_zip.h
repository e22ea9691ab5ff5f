// The export of a report's favorites (SPEC section 3): `favorites-report-{id}.zip` holding
//  - favorites.csv: one row per product x format x vendor (a product without formats, or a
//    format without vendors, still has one row), the reference first (type REFERENCE), then
//    the favorites in the report's order (type FAVORITE). row_index numbers products, not rows
//    (as the published web app's export does): 0 for the reference, 1.. for the favorites, the
//    same on every row of a product and in its image folder NNN_...; the columns of
//    SPEC section 3, then one `similarity_<score>` column per score (search/score_matrix.h
//    names; empty for the reference and for a missing score). RFC 4180 quoting; a text cell
//    that starts with = + - @ or a tab is prefixed with ' so that spreadsheets show it as text
//    rather than run it as a formula.
//  - images/NNN_Brand_Model[_REFERENCE]/MM.<ext>: NNN the product's number (000 the
//    reference), Brand and Model reduced to [A-Za-z0-9-] (others become _), MM the image's
//    position; only images K9 holds (`read` answers their bytes); masks are not exported.
// The CSV is deflated, images are stored as they are (already compressed). Throws k9::Error
// too_large when the images add up to more than kMaxExportBytes.
#pragma once
#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/domain.h"
#include "search/score_matrix.h"

namespace k9::exporting {

inline constexpr size_t kMaxExportBytes = 256u << 20;

struct ExportedProduct {
  Product product;
  std::array<float, search::kScoreCount> scores;  // NaN: missing
};

struct FavoritesExport {
  Product reference;
  std::vector<ExportedProduct> favorites;
};

// `read(stored url)` answers an image's bytes, or nullopt for one K9 does not hold.
std::string favorites_zip(const FavoritesExport& x,
                          const std::function<std::optional<std::string>(const std::string&)>& read);
// favorites.csv alone (tests, and the CSV import of the catalog reads this layout).
std::string favorites_csv(const FavoritesExport& x);
// The folder of product number n: "NNN_Brand_Model" (+ "_REFERENCE" for n == 0).
std::string image_folder(size_t n, const Product& p);

}  // namespace k9::exporting
