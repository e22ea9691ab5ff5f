// A catalog folder (SPEC section 5): products.jsonl, one Product per line, whose image and
// mask urls are paths relative to the folder. Reading is strict per line and forgiving
// across lines: a bad line or a missing file is reported and the rest goes on.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/domain.h"

namespace k9::catalog {

struct CatalogLine {
  size_t number = 0;           // 1-based line number in products.jsonl
  std::string text;            // the line as read
};

// Non-empty lines of dir/products.jsonl. Throws k9::Error bad_request when the file is missing.
std::vector<CatalogLine> read_catalog_lines(const std::filesystem::path& dir);

// Parses and validates one line (strict JSON decoding, an id of 1..128 of [A-Za-z0-9._:-]).
// Throws k9::Error bad_request naming the field.
Product parse_catalog_product(const CatalogLine& line);

// The bytes of a file named by a url relative to `dir`. Throws k9::Error bad_request for an
// absolute url or one leaving the folder (".."), and for a file that cannot be read.
std::string read_catalog_file(const std::filesystem::path& dir, const std::string& url);

}  // namespace k9::catalog
