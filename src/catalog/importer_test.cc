#include "catalog/importer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "blobs/fs/fs_blob_store.h"
#include "catalog/demo/demo_catalog.h"
#include "catalog/import_recorder.h"
#include "testing/store/catalog_fixture.h"
#include "vision/classic_extractor.h"
#include "vision/features.h"
#include "vision/scores.h"

namespace k9::catalog {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::Recorder;

class ImporterTest : public testkit::CatalogFixture {
 protected:
  ImporterTest() : CatalogFixture("import") {
    demo::DemoCatalog(demo::DemoOptions::small(9)).write(dir_ / "catalog");  // one of each family
  }
  ImportSummary run(Recorder& r) { return import_catalog(dir_ / "catalog", *products_, *embeddings_, extractor_, r); }
  void rewrite_line(size_t index, const std::function<void(std::string&)>& edit) {
    std::ifstream in(dir_ / "catalog/products.jsonl");
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    edit(lines.at(index));
    std::ofstream out(dir_ / "catalog/products.jsonl", std::ios::trunc);
    for (auto& l : lines) out << l << "\n";
  }

  vision::ClassicExtractor extractor_;
};

TEST_F(ImporterTest, ImportsThenChangesOnlyWhatChanged) {
  Recorder r;
  auto first = run(r);
  EXPECT_EQ(first.total, 9u);
  EXPECT_EQ(first.added, 9u);
  EXPECT_EQ(first.images, 18u);
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.last_done, 9u);
  auto e = embeddings_->get("demo-00001", "k9-classic-1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->count(), 2u);
  EXPECT_EQ(e->dimension, vision::kDimension);
  auto p = products_->get("demo-00001");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->product.images[0].url, "images/demo-00001-0.jpg");

  auto again = run(r);
  EXPECT_EQ(again.unchanged, 9u);
  EXPECT_EQ(again.images, 0u);

  rewrite_line(3, [](std::string& l) { l.replace(l.find("\"model\":\""), 9, "\"model\":\"Renamed "); });
  auto third = run(r);
  EXPECT_EQ(third.updated, 1u);
  EXPECT_EQ(third.unchanged, 8u);
  EXPECT_THAT(products_->get("demo-00004")->product.model, HasSubstr("Renamed"));
}

TEST_F(ImporterTest, BadImagesAndLinesAreReportedAndTheImportGoesOn) {
  {  // truncate one photo of product 2, delete both of product 5
    fs::path photo = dir_ / "catalog/images/demo-00002-1.jpg";
    fs::resize_file(photo, fs::file_size(photo) / 2);
    fs::remove(dir_ / "catalog/images/demo-00005-0.jpg");
    fs::remove(dir_ / "catalog/images/demo-00005-1.jpg");
  }
  rewrite_line(7, [](std::string& l) { l = "{\"id\": \"broken\", \"model\": 12}"; });
  Recorder r;
  auto s = run(r);
  EXPECT_EQ(s.added, 7u);
  EXPECT_EQ(s.failed, 2u);  // product 5 (no image) and the broken line
  auto has = [&](const std::string& subject, const std::string& text) {
    for (auto& [s, m] : r.problems)
      if (s == subject && m.find(text) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("demo-00002", "truncated"));
  EXPECT_TRUE(has("demo-00005", "demo-00005-0.jpg cannot be read"));
  EXPECT_TRUE(has("demo-00005", "no image could be analysed"));
  EXPECT_TRUE(has("line 8", "model"));
  EXPECT_EQ(embeddings_->get("demo-00002", "k9-classic-1")->count(), 1u);  // the good photo
  EXPECT_FALSE(embeddings_->get("demo-00005", "k9-classic-1"));
  EXPECT_TRUE(products_->get("demo-00005"));
}

TEST_F(ImporterTest, EachProductsOtherPhotoFindsItFirst) {
  Recorder r;
  run(r);
  std::vector<repo::Embedding> all;
  embeddings_->for_each("k9-classic-1", [&](const repo::Embedding& e) { all.push_back(e); });
  ASSERT_EQ(all.size(), 9u);
  size_t hits = 0;
  for (auto& query : all) {
    std::span<const float> q(query.vectors.data() + vision::kDimension, vision::kDimension);  // photo 1
    double best = -1;
    std::string best_id;
    for (auto& candidate : all) {
      std::span<const float> c(candidate.vectors.data(), vision::kDimension);  // photo 0
      double s = vision::visual_match(vision::colour_scores(q, c), vision::pattern_scores(q, c));
      if (s > best) best = s, best_id = candidate.product_id;
    }
    hits += best_id == query.product_id;
  }
  EXPECT_GE(hits, 8u);
}

}  // namespace
}  // namespace k9::catalog

namespace k9::catalog {
namespace {

TEST_F(ImporterTest, CopiesImagesIntoTheBlobStoreAndNamesThem) {
  blobs::fs::FsBlobStore blobs(dir_ / "blobs", std::make_shared<blobs::FileUrlSigner>("importer-test-secret-0123456789-0123", "http://127.0.0.1:1"));
  Recorder r;
  auto first = import_catalog(dir_ / "catalog", *products_, *embeddings_, extractor_, r, {1, &blobs});
  EXPECT_EQ(first.added, 9u);
  auto p = products_->get("demo-00001");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->product.images.size(), 2u);
  for (auto& img : p->product.images) {
    EXPECT_THAT(img.url, ::testing::StartsWith("catalog/demo-00001/"));
    EXPECT_THAT(img.url, ::testing::EndsWith(".jpg"));
    auto blob = blobs.get(img.url);
    ASSERT_TRUE(blob) << img.url;
    EXPECT_EQ(blob->info.content_type, "image/jpeg");
  }
  // The same bytes as the folder's first photo.
  std::ifstream in(dir_ / "catalog/images/demo-00001-0.jpg", std::ios::binary);
  std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(blobs.get(p->product.images[0].url)->bytes, original);
  // Idempotent: nothing changes on a second run.
  auto again = import_catalog(dir_ / "catalog", *products_, *embeddings_, extractor_, r, {1, &blobs});
  EXPECT_EQ(again.unchanged, 9u);
  EXPECT_EQ(products_->get("demo-00001")->product.images[0].url, p->product.images[0].url);
}

}  // namespace
}  // namespace k9::catalog
