#include "catalog/catalog_folder.h"

#include <fstream>
#include <sstream>

#include "catalog/catalog_csv.h"
#include "core/error.h"
#include "core/json.h"
#include "core/json_codec.h"

namespace k9::catalog {

namespace fs = std::filesystem;

CatalogSource read_catalog(const fs::path& dir) {
  CatalogSource source;
  if (fs::exists(dir / "products.jsonl")) {
    source.file = dir / "products.jsonl";
    source.lines = read_catalog_lines(dir);
    return source;
  }
  fs::path csv = dir / "favorites.csv";
  if (!fs::is_regular_file(csv)) {
    std::vector<fs::path> found;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(dir, ec))
      if (e.is_regular_file() && e.path().extension() == ".csv") found.push_back(e.path());
    if (found.empty()) throw bad_request("no products.jsonl or favorites.csv in " + dir.string());
    if (found.size() > 1)
      throw bad_request("several CSV files and no products.jsonl or favorites.csv in " + dir.string() +
                        "; name the catalog favorites.csv");
    csv = found[0];
  }
  auto read = read_csv_catalog(dir, csv);
  source.file = csv;
  source.csv = true;
  source.lines = std::move(read.lines);
  source.skipped = read.skipped;
  return source;
}

std::vector<CatalogLine> read_catalog_lines(const fs::path& dir) {
  std::ifstream in(dir / "products.jsonl");
  if (!in) throw bad_request("no products.jsonl in " + dir.string());
  std::vector<CatalogLine> lines;
  std::string text;
  for (size_t n = 1; std::getline(in, text); ++n) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    lines.push_back({n, std::move(text), "line " + std::to_string(n), "", ""});
  }
  return lines;
}

Product parse_catalog_product(const CatalogLine& line) {
  Product p;
  // parse_json_object keeps each number's text, so decimals stay exact (core/decimal.h).
  from_json(boost::json::value(parse_json_object(line.text)), p, "product", DecodeLimits{});
  bool valid = !p.id.empty() && p.id.size() <= 128;
  for (char c : p.id) valid &= std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' || c == '-';
  if (!valid) throw bad_request("product.id must be 1..128 characters of [A-Za-z0-9._:-]");
  return p;
}

std::string read_catalog_file(const fs::path& dir, const std::string& url) {
  fs::path rel(url);
  if (url.empty() || rel.is_absolute()) throw bad_request("image url " + url + " must be a path relative to the catalog folder");
  for (auto& part : rel)
    if (part == "..") throw bad_request("image url " + url + " leaves the catalog folder");
  std::ifstream in(dir / rel, std::ios::binary);
  if (!in) throw bad_request("image file " + url + " cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace k9::catalog
