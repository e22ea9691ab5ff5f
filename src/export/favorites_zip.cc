#include "export/favorites_zip.h"

#include <zip.h>

#include <cmath>
#include <cstdio>
#include <deque>
#include <memory>

#include "core/error.h"

namespace k9::exporting {

namespace {

const char* kColumns[] = {"row_index",         "type",
                          "brand",             "series",
                          "model",             "category_type",
                          "category_material", "category_look",
                          "category_texture",  "category_finish",
                          "category_edge",     "format_length_val",
                          "format_length_unit", "format_width_val",
                          "format_width_unit", "format_thickness_val",
                          "format_thickness_unit", "vendor_sku",
                          "vendor_store",      "vendor_name",
                          "vendor_price_val",  "vendor_price_unit",
                          "vendor_discontinued", "vendor_url"};

std::string cell(const std::string& v, bool text = true) {
  std::string s = v;
  if (text && !s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t'))
    s = "'" + s;
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

std::string opt(const std::optional<std::string>& v) { return v.value_or(""); }

std::string score_cell(float v) {
  if (std::isnan(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", double(v));
  return buf;
}

// The rows of product number `n` (0 the reference, 1.. the favorites): every row of the
// product carries its number, the number of its image folder.
void add_rows(std::string& out, size_t n, const Product& p, bool reference, const float* scores) {
  auto emit = [&](const Format* f, const Vendor* v) {
    std::vector<std::string> c;
    c.push_back(std::to_string(n));
    c.push_back(reference ? "REFERENCE" : "FAVORITE");
    c.push_back(cell(opt(p.brand)));
    c.push_back(cell(opt(p.series)));
    c.push_back(cell(p.model));
    const auto& k = p.category;
    for (auto* field : {&k.type, &k.material, &k.look, &k.texture, &k.finish, &k.edge}) c.push_back(cell(opt(*field)));
    for (auto* d : {f ? &f->length : nullptr, f ? &f->width : nullptr, f ? &f->thickness : nullptr}) {
      c.push_back(d && *d ? cell((*d)->val.text, false) : "");
      c.push_back(d && *d ? cell((*d)->unit) : "");
    }
    c.push_back(v ? cell(v->sku) : "");
    c.push_back(v ? cell(v->store) : "");
    c.push_back(v ? cell(v->name) : "");
    c.push_back(v && v->price ? cell(v->price->val.text, false) : "");
    c.push_back(v && v->price ? cell(v->price->unit) : "");
    c.push_back(v && v->discontinued ? (*v->discontinued ? "true" : "false") : "");
    c.push_back(v ? cell(v->url) : "");
    for (size_t s = 0; s < search::kScoreCount; ++s) c.push_back(scores ? score_cell(scores[s]) : "");
    for (size_t i = 0; i < c.size(); ++i) out += (i ? "," : "") + c[i];
    out += "\r\n";
  };
  if (p.formats.empty()) return emit(nullptr, nullptr);
  for (auto& f : p.formats) {
    if (f.vendors.empty()) emit(&f, nullptr);
    for (auto& v : f.vendors) emit(&f, &v);
  }
}

std::string safe_part(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    out += ok ? c : '_';
    if (out.size() == 40) break;
  }
  return out.empty() ? "_" : out;
}

std::string extension_of(const std::string& bytes) {
  if (bytes.size() >= 3 && bytes.compare(0, 3, "\xFF\xD8\xFF") == 0) return "jpg";
  if (bytes.size() >= 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) return "png";
  if (bytes.size() >= 12 && bytes.compare(0, 4, "RIFF") == 0 && bytes.compare(8, 4, "WEBP") == 0) return "webp";
  return "bin";
}

struct ZipSourceFree {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};

[[noreturn]] void zip_failed(const char* what, zip_error_t* e) {
  throw std::runtime_error(std::string("export zip: ") + what + ": " + zip_error_strerror(e));
}

}  // namespace

std::string image_folder(size_t n, const Product& p) {
  char num[16];
  std::snprintf(num, sizeof num, "%03zu", n);
  return std::string(num) + "_" + safe_part(opt(p.brand)) + "_" + safe_part(p.model) + (n == 0 ? "_REFERENCE" : "");
}

std::string favorites_csv(const FavoritesExport& x) {
  std::string out;
  for (size_t i = 0; i < std::size(kColumns); ++i) out += (i ? "," : "") + std::string(kColumns[i]);
  for (size_t s = 0; s < search::kScoreCount; ++s)
    out += ",similarity_" + std::string(search::score_name(search::Score(s)));
  out += "\r\n";
  add_rows(out, 0, x.reference, true, nullptr);
  for (size_t i = 0; i < x.favorites.size(); ++i)
    add_rows(out, i + 1, x.favorites[i].product, false, x.favorites[i].scores.data());
  return out;
}

std::string favorites_zip(const FavoritesExport& x,
                          const std::function<std::optional<std::string>(const std::string&)>& read) {
  // Gather everything first: libzip reads the buffers when the archive is closed.
  std::deque<std::string> data;
  std::vector<std::pair<std::string, const std::string*>> entries;
  data.push_back(favorites_csv(x));
  entries.emplace_back("favorites.csv", &data.back());
  size_t total = data.back().size();
  auto add_images = [&](size_t n, const Product& p) {
    std::string folder = "images/" + image_folder(n, p) + "/";
    for (size_t i = 0; i < p.images.size(); ++i) {
      auto bytes = read(p.images[i].url);
      if (!bytes) continue;
      total += bytes->size();
      if (total > kMaxExportBytes)
        throw Error(ErrorCode::too_large, "The export would be over " + std::to_string(kMaxExportBytes >> 20) +
                                              " MiB of images; remove some favorites");
      char name[16];
      std::snprintf(name, sizeof name, "%02zu.", i + 1);
      data.push_back(std::move(*bytes));
      entries.emplace_back(folder + name + extension_of(data.back()), &data.back());
    }
  };
  add_images(0, x.reference);
  for (size_t i = 0; i < x.favorites.size(); ++i) add_images(i + 1, x.favorites[i].product);

  zip_error_t err;
  zip_error_init(&err);
  std::unique_ptr<zip_source_t, ZipSourceFree> out(zip_source_buffer_create(nullptr, 0, 0, &err));
  if (!out) zip_failed("buffer", &err);
  zip_source_keep(out.get());  // survives zip_close, to read the archive back
  zip_t* z = zip_open_from_source(out.get(), ZIP_TRUNCATE, &err);
  if (!z) zip_failed("open", &err);
  for (size_t i = 0; i < entries.size(); ++i) {
    auto& [name, bytes] = entries[i];
    zip_source_t* src = zip_source_buffer(z, bytes->data(), bytes->size(), 0);
    zip_int64_t idx = src ? zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8) : -1;
    if (idx < 0) {
      if (src) zip_source_free(src);
      std::string m = zip_strerror(z);
      zip_discard(z);
      throw std::runtime_error("export zip: adding " + name + ": " + m);
    }
    zip_set_file_compression(z, zip_uint64_t(idx), i == 0 ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
  }
  if (zip_close(z) != 0) {
    std::string m = zip_strerror(z);
    zip_discard(z);
    throw std::runtime_error("export zip: " + m);
  }
  zip_stat_t st;
  if (zip_source_stat(out.get(), &st) != 0 || zip_source_open(out.get()) != 0)
    zip_failed("read back", zip_source_error(out.get()));
  std::string bytes(st.size, '\0');
  zip_int64_t n = zip_source_read(out.get(), bytes.data(), st.size);
  zip_source_close(out.get());
  if (n < 0 || zip_uint64_t(n) != st.size) throw std::runtime_error("export zip: short read");
  return bytes;
}

}  // namespace k9::exporting
