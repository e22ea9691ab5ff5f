// `k9 catalog import DIR` on the export CSV layout (SPEC sections 3 and 5): a folder written
// with export/favorites_zip.h's favorites_csv and image folders is imported like products.jsonl.
#include "catalog/catalog_csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "blobs/fs/fs_blob_store.h"
#include "catalog/demo/demo_catalog.h"
#include "catalog/import_recorder.h"
#include "catalog/importer.h"
#include "core/error.h"
#include "export/favorites_zip.h"
#include "testing/store/catalog_fixture.h"
#include "vision/classic_extractor.h"

namespace k9::catalog {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using testing::Recorder;

Dimension dim(const char* v, const char* unit) { return {Decimal{v}, unit}; }

class CsvCatalogTest : public testkit::CatalogFixture {
 protected:
  CsvCatalogTest() : CatalogFixture("csv") {}
  void SetUp() override {
    fs::create_directories(dir_ / "csv");
    demo::DemoCatalog demo(demo::DemoOptions::small(4));
    demo.write(dir_ / "demo");
    for (size_t i = 0; i < 4; ++i) photos_.push_back(demo.product(i).images);

    Product ref = demo.product(0);
    ref.brand = "Reference brand";
    ref.formats.clear();
    ref_id_ = csv_product_id(*ref.brand, ref.series.value_or(""), ref.model);
    Product oak = demo.product(1);
    oak.brand = "=Evil";  // exported as '=Evil
    oak.series = "Nordic, \"Plank\"";
    oak.model = "Oak\nline two";
    oak.category.type = "wood";
    oak.category.finish = "-matte";
    Vendor a{"SKU-1", "+Store", "Alice", dim("1234567890.123456789012345678", "usd"), true, "https://a.example/x?y=1,2"};
    Vendor b{"SKU-2", "Store B", "Bob", dim("0.000000000000000000000000000001", "usd"), false, ""};
    Vendor c{"SKU-3", "Store C", "", std::nullopt, std::nullopt, "@c"};
    oak.formats = {Format{dim("12.5", "in"), dim("48", "in"), dim("9.99999999999999999999", "mm"), {a, b}},
                   Format{dim("6", "in"), std::nullopt, std::nullopt, {c}}};
    Product plain = demo.product(2);
    plain.brand = std::nullopt;
    plain.series = std::nullopt;
    plain.model = "Plain";
    plain.formats.clear();
    plain.category = {"stone", "marble", "veined", "smooth", "polished", "square"};
    Product tile = demo.product(3);
    tile.model = "Tile";
    tile.formats = {Format{dim("1", "in"), dim("2", "in"), std::nullopt, {}}};
    exporting::FavoritesExport x;
    x.reference = ref;
    for (auto* p : {&oak, &plain, &tile}) {
      exporting::ExportedProduct e{*p, {}};
      e.scores.fill(0.5f);
      e.scores[1] = std::nanf("");
      x.favorites.push_back(e);
    }
    expected_ = {oak, plain, tile};
    csv_ = exporting::favorites_csv(x);
    write_csv(csv_);
    // Images as the export lays them out: images/NNN_Brand_Model[_REFERENCE]/MM.jpg.
    for (size_t n = 0; n < 4; ++n) {
      const Product& p = n == 0 ? x.reference : x.favorites[n - 1].product;
      fs::path folder = dir_ / "csv/images" / exporting::image_folder(n, p);
      fs::create_directories(folder);
      for (size_t i = 0; i < photos_[n].size(); ++i)
        fs::copy_file(dir_ / "demo" / photos_[n][i].url, folder / ("0" + std::to_string(i + 1) + ".jpg"));
    }

    blobs_ = std::make_unique<blobs::fs::FsBlobStore>(
        dir_ / "blobs", std::make_shared<blobs::FileUrlSigner>("csv-test-secret-0123456789-0123456789", "http://127.0.0.1:1"));
  }
  void write_csv(const std::string& text, const std::string& name = "favorites.csv") {
    std::ofstream(dir_ / "csv" / name, std::ios::binary | std::ios::trunc) << text;
  }
  ImportSummary run(Recorder& r) {
    return import_catalog(dir_ / "csv", *products_, *embeddings_, extractor_, r, {2, blobs_.get()});
  }
  std::string id_of(const Product& p) {
    return csv_product_id(p.brand.value_or(""), p.series.value_or(""), p.model);
  }
  // The CSV's records (rows) as text lines, for editing; a cell with a newline is quoted, so
  // rows are split on "\r\n" only.
  std::vector<std::string> rows() {
    std::vector<std::string> out;
    for (size_t at = 0, next; at < csv_.size(); at = next + 2) {
      next = csv_.find("\r\n", at);
      out.push_back(csv_.substr(at, next - at));
    }
    return out;
  }
  static std::string join(const std::vector<std::string>& rows) {
    std::string s;
    for (auto& r : rows) s += r + "\r\n";
    return s;
  }

  std::string ref_id_;
  std::vector<std::vector<ProductImage>> photos_;
  std::vector<Product> expected_;
  std::string csv_;
  std::unique_ptr<blobs::fs::FsBlobStore> blobs_;
  vision::ClassicExtractor extractor_;
};

TEST_F(CsvCatalogTest, ImportsTheExportLayoutExactly) {
  Recorder r;
  auto s = run(r);
  EXPECT_TRUE(r.problems.empty()) << r.problems.size() << " " << (r.problems.empty() ? "" : r.problems[0].second);
  EXPECT_EQ(s.total, 3u);
  EXPECT_EQ(s.added, 3u);
  EXPECT_EQ(s.skipped, 1u);  // the reference row
  EXPECT_EQ(s.images, 6u);
  EXPECT_EQ(r.last_done, 3u);

  for (auto& want : expected_) {
    auto got = products_->get(id_of(want));
    ASSERT_TRUE(got) << want.model;
    const Product& p = got->product;
    EXPECT_THAT(p.id, StartsWith("csv-"));
    EXPECT_EQ(p.brand, want.brand);  // '=Evil is =Evil again
    EXPECT_EQ(p.series, want.series);
    EXPECT_EQ(p.model, want.model);
    EXPECT_EQ(p.category.type, want.category.type);
    EXPECT_EQ(p.category.finish, want.category.finish);
    ASSERT_EQ(p.formats.size(), want.formats.size());
    for (size_t f = 0; f < p.formats.size(); ++f) {
      auto& g = p.formats[f];
      auto& w = want.formats[f];
      auto same = [](const std::optional<Dimension>& x, const std::optional<Dimension>& y) {
        return x.has_value() == y.has_value() && (!x || (x->val == y->val && x->unit == y->unit));
      };
      EXPECT_TRUE(same(g.length, w.length));
      EXPECT_TRUE(same(g.width, w.width));
      EXPECT_TRUE(same(g.thickness, w.thickness));
      ASSERT_EQ(g.vendors.size(), w.vendors.size());
      for (size_t v = 0; v < g.vendors.size(); ++v) {
        EXPECT_EQ(g.vendors[v].sku, w.vendors[v].sku);
        EXPECT_EQ(g.vendors[v].store, w.vendors[v].store);
        EXPECT_EQ(g.vendors[v].name, w.vendors[v].name);
        EXPECT_EQ(g.vendors[v].url, w.vendors[v].url);
        EXPECT_EQ(g.vendors[v].discontinued, w.vendors[v].discontinued);
        EXPECT_TRUE(same(g.vendors[v].price, w.vendors[v].price));
      }
    }
    // Images: the product's own folder, copied into the blob store, and analysed.
    ASSERT_EQ(p.images.size(), 2u);
    for (auto& img : p.images) {
      EXPECT_THAT(img.url, StartsWith("catalog/" + p.id + "/"));
      EXPECT_TRUE(blobs_->head(img.url)) << img.url;
    }
    EXPECT_EQ(p.images[0].id, "01");
    auto e = embeddings_->get(p.id, extractor_.model_version());
    ASSERT_TRUE(e);
    EXPECT_EQ(e->count(), 2u);
  }
  // Exact decimals, as text.
  auto oak = products_->get(id_of(expected_[0]))->product;
  EXPECT_EQ(oak.formats[0].vendors[0].price->val.text, "1234567890.123456789012345678");
  EXPECT_EQ(oak.formats[0].vendors[1].price->val.text, "0.000000000000000000000000000001");
  EXPECT_EQ(oak.formats[0].thickness->val.text, "9.99999999999999999999");
  // The bytes of the plain product's first photo, from its own folder (product number 2).
  std::ifstream in(dir_ / "demo" / photos_[2][0].url, std::ios::binary);
  std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto plain = products_->get(id_of(expected_[1]))->product;
  EXPECT_EQ(blobs_->get(plain.images[0].url)->bytes, original);
  // The reference is not a catalog product.
  EXPECT_FALSE(products_->get(ref_id_));

  // Idempotent: a second import changes nothing.
  Recorder again_r;
  auto again = run(again_r);
  EXPECT_EQ(again.unchanged, 3u);
  EXPECT_EQ(again.images, 0u);
  EXPECT_TRUE(again_r.problems.empty());
  // Scores change with each export; the catalog does not.
  auto rewritten = rows();
  for (auto& row : rewritten)
    if (auto at = row.rfind(",0.5000"); at != std::string::npos) row.replace(at, 7, ",0.2500");
  write_csv(join(rewritten));
  EXPECT_EQ(run(again_r).unchanged, 3u);
}

TEST_F(CsvCatalogTest, MalformedRowsAreReportedAndTheRestImported) {
  auto lines = rows();
  // rows: 1 header, 2 reference, 3-5 oak (a, b, c), 6 plain, 7 tile.
  ASSERT_EQ(lines.size(), 7u);
  lines[5] += ",extra";  // plain: one cell too many (a product of one row)
  auto& tile = lines[6];
  tile.replace(tile.find(",1,in,2,in,"), 11, ",1,in,2x,in,");  // a bad number
  lines.insert(lines.begin() + 4, "1,FAVORITE,too,few");         // among oak's rows
  write_csv(join(lines));
  Recorder r;
  auto s = run(r);
  EXPECT_EQ(s.added, 0u);
  EXPECT_TRUE(r.has("row 5", "4 cells, the header has"));
  EXPECT_TRUE(r.has(id_of(expected_[0]), "row 5, among this product's rows, could not be read"));
  EXPECT_TRUE(r.has("row 7", "cells, the header has"));
  EXPECT_TRUE(r.has(id_of(expected_[2]), "row 8: format_width_val \"2x\" is not a number"));
  EXPECT_FALSE(products_->get(id_of(expected_[2])));

  // The plain product alone broken: the others are imported.
  lines = rows();
  lines[5].replace(lines[5].find(",,,,,,,,,,,,,"), 13, ",,in,,,,,,,,,,,");  // a unit without a value
  write_csv(join(lines));
  Recorder r2;
  s = run(r2);
  EXPECT_EQ(s.added, 2u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_TRUE(products_->get(id_of(expected_[0])));
  EXPECT_TRUE(products_->get(id_of(expected_[2])));
  EXPECT_FALSE(products_->get(id_of(expected_[1])));
  ASSERT_EQ(r2.problems.size(), 1u);
  EXPECT_EQ(r2.problems[0].first, id_of(expected_[1]));
  EXPECT_EQ(r2.problems[0].second, "row 6: format_length_unit is set but format_length_val is empty");
}

TEST_F(CsvCatalogTest, MalformedQuotingStopsTheReadingThere) {
  auto lines = rows();
  lines[6].replace(lines[6].find("Tile"), 4, "Ti\"le");  // a quote inside an unquoted cell
  write_csv(join(lines));
  Recorder r;
  auto s = run(r);
  EXPECT_EQ(s.added, 1u);  // oak; plain may go on past row 7, so it is not imported; tile is cut
  EXPECT_TRUE(products_->get(id_of(expected_[0])));
  EXPECT_FALSE(products_->get(id_of(expected_[1])));
  EXPECT_TRUE(r.has("row 7", "malformed CSV"));
  EXPECT_TRUE(r.has(id_of(expected_[1]), "may go on past it"));
}

TEST_F(CsvCatalogTest, AHandWrittenCsvInAnyColumnOrder) {
  fs::remove(dir_ / "csv/favorites.csv");
  // A BOM, LF line ends, columns in another order, no similarity columns, no reference: the
  // first product is number 1, as in the export.
  std::string header =
      "\xEF\xBB\xBFmodel,brand,series,type,row_index,category_type,category_material,category_look,category_texture,"
      "category_finish,category_edge,format_length_val,format_length_unit,format_width_val,format_width_unit,"
      "format_thickness_val,format_thickness_unit,vendor_sku,vendor_store,vendor_name,vendor_price_val,"
      "vendor_price_unit,vendor_discontinued,vendor_url\n";
  write_csv(header + "Walnut ,Acme,,,1,wood,,,,,,10,in,,,,,s1,st,n,0012.50,usd,TRUE,\n" +
                "Walnut ,Acme,,,2,wood,,,,,,10,in,,,,,s2,st,n,7,usd,,\n",
            "catalog.csv");
  auto read = read_csv_catalog(dir_ / "csv", dir_ / "csv/catalog.csv");
  ASSERT_EQ(read.lines.size(), 1u);
  EXPECT_TRUE(read.lines[0].problem.empty()) << read.lines[0].problem;
  EXPECT_EQ(read.lines[0].id, csv_product_id("Acme", "", "Walnut "));
  auto p = parse_catalog_product(read.lines[0]);
  EXPECT_EQ(p.model, "Walnut ");  // spaces are kept
  ASSERT_EQ(p.formats.size(), 1u);
  ASSERT_EQ(p.formats[0].vendors.size(), 2u);
  EXPECT_EQ(p.formats[0].vendors[0].price->val.text, "12.5");
  EXPECT_EQ(p.formats[0].vendors[0].discontinued, true);
  // Product 1's images: images/001_Acme_Walnut_ of the export.
  ASSERT_EQ(p.images.size(), 2u);
  EXPECT_THAT(p.images[0].url, StartsWith("images/001_"));

  Recorder r;
  auto s = run(r);
  EXPECT_EQ(s.added, 1u);
  // products.jsonl, when there is one, wins; two CSVs without favorites.csv are refused.
  write_csv(header, "other.csv");
  EXPECT_THROW(run(r), Error);
  std::ofstream(dir_ / "csv/products.jsonl") << "\n";
  EXPECT_EQ(run(r).total, 0u);
}

}  // namespace
}  // namespace k9::catalog
