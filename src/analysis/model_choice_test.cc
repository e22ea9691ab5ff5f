// Choosing the model version (docs/VISION.md, "Choosing the version"): the default of new
// analyses for a fresh catalog, the version the catalog has when it lacks the default and
// nothing is set (with the upgrade named), a refusal when a set version is missing; and how
// a catalog's versions are found without reading the catalog.
#include "analysis/model_choice.h"

#include <gtest/gtest.h>

#include <set>

#include "analysis/catalog_snapshots.h"
#include "blobs/fs/fs_blob_store.h"
#include "catalog/demo/demo_catalog.h"
#include "catalog/importer.h"
#include "catalog/snapshot/builder.h"
#include "catalog/snapshot/writer.h"
#include "core/domain.h"
#include "core/error.h"
#include "testing/store/catalog_fixture.h"
#include "vision/classic_extractor.h"

namespace k9::analysis {
namespace {

// A catalog holding `versions`.
std::function<bool(const std::string&)> holding(std::set<std::string> versions) {
  return [versions](const std::string& v) { return versions.contains(v); };
}

TEST(ModelChoice, AFreshCatalogGetsTheNewDefault) {
  ASSERT_STREQ(kNewAnalysisModelVersion, "k9-classic-2");
  auto c = choose_model_version(std::nullopt, holding({}));
  EXPECT_EQ(c.version, "k9-classic-2");
  EXPECT_EQ(c.warning, "");
  c = choose_model_version(std::nullopt, holding({"k9-classic-1", "k9-classic-2"}));  // reindexed
  EXPECT_EQ(c.version, "k9-classic-2");
  EXPECT_EQ(c.warning, "");
}

TEST(ModelChoice, UnsetOnAClassic1CatalogFallsBackWithTheUpgradeNamed) {
  auto c = choose_model_version(std::nullopt, holding({"k9-classic-1"}));
  EXPECT_EQ(c.version, "k9-classic-1");
  EXPECT_NE(c.warning.find("no k9-classic-2 embeddings"), std::string::npos) << c.warning;
  EXPECT_NE(c.warning.find("`k9 catalog reindex --model k9-classic-2`"), std::string::npos) << c.warning;
}

TEST(ModelChoice, ASetVersionTheCatalogLacksStopsTheServer) {
  try {
    choose_model_version("k9-classic-2", holding({"k9-classic-1"}));
    FAIL() << "a k9-classic-1 catalog cannot serve k9-classic-2";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request);
    EXPECT_NE(std::string(e.what()).find("`k9 catalog reindex --model k9-classic-2`"), std::string::npos) << e.what();
  }
  try {
    choose_model_version("k9-classic-1", holding({"k9-classic-2"}));
    FAIL() << "a k9-classic-2 catalog cannot serve k9-classic-1";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("`k9 catalog reindex --model k9-classic-1`"), std::string::npos) << e.what();
  }
}

TEST(ModelChoice, ASetVersionTheCatalogHasOrAnEmptyCatalogIsKept) {
  auto c = choose_model_version("k9-classic-1", holding({"k9-classic-1", "k9-classic-2"}));
  EXPECT_EQ(c.version, "k9-classic-1");
  EXPECT_EQ(c.warning, "");
  c = choose_model_version("k9-classic-1", holding({}));  // nothing imported yet
  EXPECT_EQ(c.version, "k9-classic-1");
  EXPECT_EQ(c.warning, "");
}

class CatalogVersionsTest : public testkit::CatalogFixture {
 protected:
  CatalogVersionsTest() : CatalogFixture("versions") {}
  void SetUp() override {
    catalog::demo::DemoCatalog demo(catalog::demo::DemoOptions::small(2, 1));
    demo.write(dir_ / "catalog");
    catalog::ImportListener quiet;
    catalog::import_catalog(dir_ / "catalog", *products_, *embeddings_, classic_1_, quiet, {1, nullptr});
  }
  bool has(const std::string& version, blobs::BlobStore* remote = nullptr) {
    return catalog_has_version(dir_ / "data", remote, *embeddings_, version);
  }
  vision::ClassicExtractor classic_1_;  // k9-classic-1
};

TEST_F(CatalogVersionsTest, TheStoreSaysWhenNoSnapshotDoes) {
  EXPECT_TRUE(has("k9-classic-1"));
  EXPECT_FALSE(has("k9-classic-2"));
  // A report's reference analysed with k9-classic-2 is not the catalog.
  repo::Embedding e;
  embeddings_->for_each("k9-classic-1", [&](const repo::Embedding& x) { e = x; });
  e.product_id = "ref-of-a-report";
  e.model_version = "k9-classic-2";
  e.owner = "u1";
  embeddings_->put(e);
  EXPECT_FALSE(embeddings_->has_catalog("k9-classic-2"));
  EXPECT_FALSE(has("k9-classic-2"));
}

TEST_F(CatalogVersionsTest, TheLocalSnapshotOrTheRemoteOneSays) {
  auto file = catalog::snapshot::snapshot_path(dir_ / "data", "k9-classic-1");
  catalog::snapshot::ensure_snapshot(*products_, *embeddings_, "k9-classic-1", file);
  std::vector<std::string> ids;
  embeddings_->for_each("k9-classic-1", [&](const repo::Embedding& e) { ids.push_back(e.product_id); });
  for (auto& id : ids) embeddings_->remove(id, "k9-classic-1");
  ASSERT_FALSE(embeddings_->has_catalog("k9-classic-1"));
  EXPECT_TRUE(has("k9-classic-1")) << "the snapshot holds products";
  // An empty snapshot (a server started before any import built one) is no catalog.
  catalog::snapshot::write_snapshot(catalog::snapshot::snapshot_path(dir_ / "data", "k9-classic-2"), "k9-classic-2",
                                    {}, {});
  EXPECT_FALSE(has("k9-classic-2"));
  // AWS mode: the snapshot `k9 catalog import` published.
  blobs::fs::FsBlobStore remote(dir_ / "remote", std::make_shared<blobs::FileUrlSigner>(
                                                     "versions-test-secret-0123456789-01234", "http://127.0.0.1:1"));
  EXPECT_FALSE(has("k9-classic-2", &remote));
  remote.put(snapshot_key("k9-classic-2"), "a snapshot");
  EXPECT_TRUE(has("k9-classic-2", &remote));
}

}  // namespace
}  // namespace k9::analysis
