#include "export/favorites_zip.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <cmath>
#include <map>

#include "core/error.h"

namespace k9::exporting {
namespace {

Dimension dim(const char* v, const char* unit) { return {Decimal{v}, unit}; }

Product product(const std::string& id, const std::string& brand, const std::string& model) {
  Product p;
  p.id = id;
  p.brand = brand;
  p.model = model;
  p.category.type = "tile";
  p.category.material = "porcelain";
  return p;
}

// The archive's entries, name -> bytes, read back with libzip.
std::map<std::string, std::string> unzip(const std::string& bytes) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
  zip_t* z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
  EXPECT_TRUE(z) << zip_error_strerror(&err);
  std::map<std::string, std::string> out;
  if (!z) return out;
  for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); ++i) {
    zip_stat_t st;
    zip_stat_index(z, zip_uint64_t(i), 0, &st);
    std::string data(st.size, '\0');
    zip_file_t* f = zip_fopen_index(z, zip_uint64_t(i), 0);
    zip_fread(f, data.data(), st.size);
    zip_fclose(f);
    out[st.name] = data;
  }
  zip_close(z);
  return out;
}

std::vector<std::string> lines(const std::string& csv) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t pos; (pos = csv.find("\r\n", start)) != std::string::npos; start = pos + 2)
    out.push_back(csv.substr(start, pos - start));
  return out;
}

FavoritesExport sample() {
  FavoritesExport x;
  x.reference = product("ref", "Mine", "Kitchen floor");
  x.reference.images.push_back({"i0", "images/u/ref.jpg"});
  Product a = product("a", "Acme", "Oak, \"rustic\"");
  Format f1;
  f1.length = dim("48", "in");
  f1.vendors.push_back({"A-1", "Store One", "Oak 48", Dimension{Decimal{"4.99"}, "usd"}, false, "https://one"});
  f1.vendors.push_back({"A-2", "Store Two", "=HYPERLINK(\"x\")", std::nullopt, std::nullopt, "https://two"});
  Format f2;
  f2.thickness = dim("10", "mm");
  a.formats = {f1, f2};
  a.images.push_back({"i1", "catalog/a/1.png"});
  a.images.push_back({"i2", "https://elsewhere.example/x.jpg"});  // not K9's: left out
  ExportedProduct ea{a, {}};
  ea.scores.fill(NAN);
  ea.scores[size_t(search::Score::match)] = 0.8765f;
  x.favorites.push_back(ea);
  ExportedProduct eb{product("b", "Béton & Co", "Slate"), {}};
  eb.scores.fill(0.5f);
  x.favorites.push_back(eb);
  return x;
}

std::optional<std::string> read(const std::string& url) {
  if (url == "images/u/ref.jpg") return std::string("\xFF\xD8\xFF\xE0 jpeg bytes", 15);
  if (url == "catalog/a/1.png") return std::string("\x89PNG\r\n\x1a\n png bytes", 18);
  return std::nullopt;
}

TEST(FavoritesCsv, OneRowPerProductFormatVendorReferenceFirst) {
  auto rows = lines(favorites_csv(sample()));
  ASSERT_EQ(rows.size(), 1u + 1 + 3 + 1);  // header, reference, a: 2 vendors + 1 format without, b
  EXPECT_TRUE(rows[0].starts_with("row_index,type,brand,series,model,category_type,category_material,"));
  EXPECT_NE(rows[0].find("vendor_discontinued,vendor_url,similarity_match,similarity_type"), std::string::npos);
  EXPECT_TRUE(rows[1].starts_with("0,REFERENCE,Mine,,Kitchen floor,tile,porcelain,")) << rows[1];
  EXPECT_TRUE(rows[2].starts_with("1,FAVORITE,Acme,,\"Oak, \"\"rustic\"\"\",")) << rows[2];
  EXPECT_TRUE(rows[3].starts_with("1,FAVORITE,Acme,")) << rows[3];
  EXPECT_TRUE(rows[4].starts_with("1,FAVORITE,Acme,")) << rows[4];
  EXPECT_NE(rows[2].find(",48,in,,,,,A-1,Store One,Oak 48,4.99,usd,false,https://one,0.8765,,"), std::string::npos)
      << rows[2];
  EXPECT_NE(rows[3].find(",\"'=HYPERLINK(\"\"x\"\")\","), std::string::npos) << "a formula must be defused: " << rows[3];
  EXPECT_NE(rows[4].find(",,,,,10,mm,,,,,,,,"), std::string::npos) << rows[4];
  EXPECT_TRUE(rows[5].starts_with("2,FAVORITE,Béton & Co,,Slate,")) << rows[5];
  EXPECT_TRUE(rows[5].ends_with(",0.5000")) << rows[5];
}

// row_index numbers products, not rows: every row of product N carries N, the number of its
// image folder NNN_Brand_Model (issue 16, as the published web app numbers its export).
TEST(FavoritesCsv, RowIndexNumbersProductsAsTheImageFoldersDo) {
  auto x = sample();
  auto rows = lines(favorites_csv(x));
  std::vector<std::string> index;
  for (size_t i = 1; i < rows.size(); ++i) index.push_back(rows[i].substr(0, rows[i].find(',')));
  EXPECT_EQ(index, (std::vector<std::string>{"0", "1", "1", "1", "2"}));
  auto entries = unzip(favorites_zip(x, read));
  EXPECT_TRUE(entries.contains("images/000_Mine_Kitchen_floor_REFERENCE/01.jpg"));
  EXPECT_TRUE(entries.contains("images/" + image_folder(1, x.favorites[0].product) + "/01.png"));
  EXPECT_EQ(image_folder(2, x.favorites[1].product).substr(0, 4), "002_");
}

TEST(FavoritesZip, HoldsTheCsvAndTheImagesK9Has) {
  auto entries = unzip(favorites_zip(sample(), read));
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries["favorites.csv"], favorites_csv(sample()));
  EXPECT_EQ(entries["images/000_Mine_Kitchen_floor_REFERENCE/01.jpg"], std::string("\xFF\xD8\xFF\xE0 jpeg bytes", 15));
  EXPECT_EQ(entries["images/001_Acme_Oak___rustic_/01.png"].size(), 18u);
}

TEST(FavoritesZip, RefusesAnExportOverTheLimit) {
  auto x = sample();
  std::string big(kMaxExportBytes / 2 + 1, 'x');
  auto huge = [&](const std::string&) -> std::optional<std::string> { return big; };
  try {
    favorites_zip(x, huge);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::too_large);
    EXPECT_NE(std::string(e.what()).find("256 MiB"), std::string::npos);
  }
}

TEST(ImageFolder, NamesAreSafePathParts) {
  Product p = product("x", "../../etc", "a/b\\c");
  EXPECT_EQ(image_folder(7, p), "007_______etc_a_b_c");
  EXPECT_EQ(image_folder(0, p), "000_______etc_a_b_c_REFERENCE");
}

}  // namespace
}  // namespace k9::exporting
