#include "catalog/catalog_csv.h"

#include <csv.h>
#include <openssl/evp.h>

#include <algorithm>
#include <exception>
#include <fstream>
#include <map>
#include <memory>

#include "core/decimal.h"
#include "core/encoding.h"
#include "core/error.h"
#include "core/json.h"
#include "core/json_codec.h"

namespace k9::catalog {

namespace fs = std::filesystem;

namespace {

// SPEC section 3's columns (export/favorites_zip.cc writes them in this order).
enum Col {
  kRowIndex, kType, kBrand, kSeries, kModel, kCatType, kCatMaterial, kCatLook, kCatTexture, kCatFinish, kCatEdge,
  kLengthVal, kLengthUnit, kWidthVal, kWidthUnit, kThicknessVal, kThicknessUnit,
  kSku, kStore, kName, kPriceVal, kPriceUnit, kDiscontinued, kUrl, kColumnCount
};
const char* kColumns[kColumnCount] = {
    "row_index", "type", "brand", "series", "model", "category_type", "category_material", "category_look",
    "category_texture", "category_finish", "category_edge", "format_length_val", "format_length_unit",
    "format_width_val", "format_width_unit", "format_thickness_val", "format_thickness_unit", "vendor_sku",
    "vendor_store", "vendor_name", "vendor_price_val", "vendor_price_unit", "vendor_discontinued", "vendor_url"};

struct RowError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The export's formula guard undone: '=x -> =x (also + - @ and tab).
std::string unprefix(const std::string& s) {
  if (s.size() >= 2 && s[0] == '\'' && std::string_view("=+-@\t").find(s[1]) != std::string_view::npos)
    return s.substr(1);
  return s;
}

std::optional<Dimension> dimension(const std::string& val, const std::string& unit, const char* val_col,
                                   const char* unit_col) {
  if (val.empty()) {
    if (!unit.empty()) throw RowError(std::string(unit_col) + " is set but " + val_col + " is empty");
    return std::nullopt;
  }
  try {
    return Dimension{Decimal{canonical_decimal(val)}, unit};
  } catch (const std::invalid_argument&) {
    throw RowError(std::string(val_col) + " \"" + val + "\" is not a number");
  }
}

std::optional<bool> boolean(std::string v) {
  for (auto& c : v) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (v.empty()) return std::nullopt;
  if (v == "true") return true;
  if (v == "false") return false;
  throw RowError("vendor_discontinued \"" + v + "\" must be true, false or empty");
}

std::optional<std::string> optional_text(std::string s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// images/NNN_*/ by number; reference folders (*_REFERENCE) are left out.
std::map<size_t, std::vector<std::string>> image_folders(const fs::path& dir) {
  std::map<size_t, std::vector<std::string>> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir / "images", ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory()) continue;
    std::string name = it->path().filename().string();
    size_t digits = 0;
    while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
    if (digits == 0 || digits > 9 || digits >= name.size() || name[digits] != '_') continue;
    if (name.ends_with("_REFERENCE")) continue;
    out[std::stoul(name.substr(0, digits))].push_back(name);
  }
  return out;
}

// The image files of one folder, shorter names first, then by name (2.jpg before 10.jpg).
std::vector<std::string> image_files(const fs::path& folder) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_regular_file() && !name.starts_with(".")) names.push_back(name);
  }
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  return names;
}

class Reader {
 public:
  explicit Reader(const fs::path& dir, std::string file) : dir_(dir), file_(std::move(file)), folders_(image_folders(dir)) {}

  void record(std::vector<std::string>& cells, size_t row) {
    if (column_.empty()) return header(cells);
    auto where = "row " + std::to_string(row);
    if (cells.size() != header_size_) {
      fail_row(row, where + ": " + std::to_string(cells.size()) + " cells, the header has " +
                        std::to_string(header_size_));
      return;
    }
    auto cell = [&](Col c) { return unprefix(cells[column_[c]]); };
    std::string type = cell(kType);
    if (type != "REFERENCE" && type != "FAVORITE" && !type.empty()) {
      fail_row(row, where + ": type \"" + type + "\" must be REFERENCE, FAVORITE or empty");
      return;
    }
    std::string key;
    for (Col c : {kType, kBrand, kSeries, kModel, kCatType, kCatMaterial, kCatLook, kCatTexture, kCatFinish, kCatEdge}) {
      auto v = cell(c);
      key += std::to_string(v.size()) + ":" + v;
    }
    if (!group_ || group_->key != key) {
      close_group();
      group_ = std::make_unique<Group>();
      group_->key = key;
      group_->first_row = row;
      group_->reference = type == "REFERENCE";
      group_->number = group_->reference ? 0 : ++count_;
      auto& p = group_->product;
      p.brand = optional_text(cell(kBrand));
      p.series = optional_text(cell(kSeries));
      p.model = cell(kModel);
      p.category = {optional_text(cell(kCatType)),    optional_text(cell(kCatMaterial)),
                    optional_text(cell(kCatLook)),    optional_text(cell(kCatTexture)),
                    optional_text(cell(kCatFinish)),  optional_text(cell(kCatEdge))};
      p.id = csv_product_id(p.brand.value_or(""), p.series.value_or(""), p.model);
      if (p.model.empty()) group_->problem = where + ": model is empty";
    } else if (broken_row_ && group_->problem.empty()) {
      group_->problem = "row " + std::to_string(broken_row_) + ", among this product's rows, could not be read";
    }
    broken_row_ = 0;
    if (group_->reference) {
      ++skipped_;
      return;
    }
    if (!group_->problem.empty()) return;
    try {
      add_row(cell);
    } catch (const RowError& e) {
      group_->problem = where + ": " + e.what();
    }
  }

  // Malformed quoting at `row`: what follows cannot be read.
  void malformed(size_t row, const std::string& why) {
    if (column_.empty()) throw bad_request(file_ + ": malformed CSV in the header (" + why + ")");
    auto where = "row " + std::to_string(row);
    if (group_ && !group_->reference && group_->problem.empty())
      group_->problem = where + ": malformed CSV (" + why + "), and this product's rows may go on past it";
    close_group();
    fail_row(row, where + ": malformed CSV (" + why + "); this row and the rest of the file are not read");
  }

  CsvCatalog finish() {
    if (column_.empty()) throw bad_request(file_ + " is empty (no header row)");
    close_group();
    return {std::move(lines_), skipped_};
  }

 private:
  struct Group {
    std::string key;
    size_t first_row = 0, number = 0;
    bool reference = false;
    Product product;
    std::string last_format_key;
    std::string problem;
  };

  void header(std::vector<std::string>& cells) {
    if (!cells.empty() && cells[0].starts_with("\xEF\xBB\xBF")) cells[0].erase(0, 3);  // UTF-8 BOM
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < cells.size(); ++i)
      if (!index.emplace(cells[i], i).second) throw bad_request(file_ + ": column " + cells[i] + " appears twice");
    column_.resize(kColumnCount);
    for (size_t c = 0; c < kColumnCount; ++c) {
      auto it = index.find(kColumns[c]);
      if (it == index.end()) {
        column_.clear();
        throw bad_request(file_ + ": no column " + kColumns[c] + " in the header (SPEC section 3's columns)");
      }
      column_[c] = it->second;
    }
    header_size_ = cells.size();
  }

  template <class Cell>
  void add_row(const Cell& cell) {
    std::string format_key;
    bool any_format = false, any_vendor = false;
    for (Col c : {kLengthVal, kLengthUnit, kWidthVal, kWidthUnit, kThicknessVal, kThicknessUnit}) {
      auto v = cell(c);
      any_format |= !v.empty();
      format_key += std::to_string(v.size()) + ":" + v;
    }
    for (Col c : {kSku, kStore, kName, kPriceVal, kPriceUnit, kDiscontinued, kUrl}) any_vendor |= !cell(c).empty();
    if (!any_format && !any_vendor) return;  // a product without formats
    std::optional<Vendor> vendor;
    if (any_vendor) {
      vendor.emplace();
      vendor->sku = cell(kSku);
      vendor->store = cell(kStore);
      vendor->name = cell(kName);
      vendor->price = dimension(cell(kPriceVal), cell(kPriceUnit), "vendor_price_val", "vendor_price_unit");
      vendor->discontinued = boolean(cell(kDiscontinued));
      vendor->url = cell(kUrl);
    }
    auto& formats = group_->product.formats;
    if (formats.empty() || group_->last_format_key != format_key) {
      Format f;
      f.length = dimension(cell(kLengthVal), cell(kLengthUnit), "format_length_val", "format_length_unit");
      f.width = dimension(cell(kWidthVal), cell(kWidthUnit), "format_width_val", "format_width_unit");
      f.thickness = dimension(cell(kThicknessVal), cell(kThicknessUnit), "format_thickness_val", "format_thickness_unit");
      formats.push_back(std::move(f));
      group_->last_format_key = format_key;
    }
    if (vendor) formats.back().vendors.push_back(std::move(*vendor));
  }

  // A row that belongs to no product it could be told from.
  void fail_row(size_t row, std::string message) {
    lines_.push_back({row, "", "row " + std::to_string(row), "", std::move(message)});
    broken_row_ = row;
  }

  void close_group() {
    auto g = std::move(group_);
    if (!g || g->reference) return;
    Product& p = g->product;
    auto where = "row " + std::to_string(g->first_row);
    auto [first, fresh] = first_row_of_.emplace(p.id, g->first_row);
    if (!fresh && g->problem.empty())
      g->problem = where + ": the same brand, series and model as the product at row " + std::to_string(first->second) +
                   " (the product id derives from them)";
    auto folders = folders_.find(g->number);
    if (folders != folders_.end() && g->problem.empty()) {
      char num[16];
      std::snprintf(num, sizeof num, "%03zu", g->number);
      if (folders->second.size() > 1) {
        g->problem = where + ": several image folders images/" + num + "_*";
      } else {
        std::string folder = "images/" + folders->second[0] + "/";
        for (auto& name : image_files(dir_ / folder)) {
          ProductImage image;
          image.id = fs::path(name).stem().string();
          image.url = folder + name;
          p.images.push_back(std::move(image));
        }
      }
    }
    lines_.push_back({g->first_row, to_json_text(to_json(p)), where, p.id, std::move(g->problem)});
  }

  const fs::path& dir_;
  std::string file_;
  std::map<size_t, std::vector<std::string>> folders_;
  std::vector<size_t> column_;  // Col -> cell index; empty until the header is read
  size_t header_size_ = 0;
  std::unique_ptr<Group> group_;
  size_t count_ = 0, skipped_ = 0, broken_row_ = 0;
  std::map<std::string, size_t> first_row_of_;
  std::vector<CatalogLine> lines_;
};

// libcsv calls back from C: exceptions are caught here and rethrown after csv_parse returns.
struct Sink {
  Reader* reader;
  std::vector<std::string> cells;
  size_t row = 0;
  std::exception_ptr fault;
};

extern "C" void on_field(void* s, size_t len, void* data) {
  auto* k = static_cast<Sink*>(data);
  if (k->fault) return;
  try {
    k->cells.emplace_back(s ? static_cast<const char*>(s) : "", len);
  } catch (...) {
    k->fault = std::current_exception();
  }
}

extern "C" void on_record(int, void* data) {
  auto* k = static_cast<Sink*>(data);
  if (k->fault) return;
  try {
    k->reader->record(k->cells, ++k->row);
  } catch (...) {
    k->fault = std::current_exception();
  }
  k->cells.clear();
}

extern "C" int no_space(unsigned char) { return 0; }  // cells keep their spaces

struct ParserFree {
  void operator()(csv_parser* p) const {
    csv_free(p);
    delete p;
  }
};

}  // namespace

std::string csv_product_id(const std::string& brand, const std::string& series, const std::string& model) {
  std::string all = brand + '\x1f' + series + '\x1f' + model;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(all.data(), all.size(), out, &len, EVP_sha256(), nullptr);
  return "csv-" + hex_encode(std::string_view(reinterpret_cast<char*>(out), len)).substr(0, 32);
}

CsvCatalog read_csv_catalog(const fs::path& dir, const fs::path& csv) {
  std::string name = csv.filename().string();
  std::ifstream in(csv, std::ios::binary);
  if (!in) throw bad_request(csv.string() + " cannot be read");
  Reader reader(dir, name);
  std::unique_ptr<csv_parser, ParserFree> parser(new csv_parser);
  if (csv_init(parser.get(), CSV_STRICT | CSV_STRICT_FINI) != 0) throw std::bad_alloc();
  csv_set_space_func(parser.get(), no_space);
  Sink sink{&reader, {}, 0, nullptr};
  std::vector<char> buf(1 << 16);
  bool malformed = false;
  while (!malformed && in) {
    in.read(buf.data(), std::streamsize(buf.size()));
    size_t n = size_t(in.gcount());
    if (n == 0) break;
    size_t used = csv_parse(parser.get(), buf.data(), n, on_field, on_record, &sink);
    if (sink.fault) std::rethrow_exception(sink.fault);
    if (used != n) malformed = true;
  }
  if (in.bad()) throw bad_request(csv.string() + " cannot be read");
  if (!malformed && csv_fini(parser.get(), on_field, on_record, &sink) != 0) malformed = true;
  if (sink.fault) std::rethrow_exception(sink.fault);
  if (malformed) reader.malformed(sink.row + 1, csv_strerror(csv_error(parser.get())));
  return reader.finish();
}

}  // namespace k9::catalog
