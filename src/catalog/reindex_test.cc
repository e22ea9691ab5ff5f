// catalog::reindex_catalog: another model version's embeddings beside the imported ones,
// from the images in the blob store; idempotent.
#include "catalog/reindex.h"

#include <gtest/gtest.h>

#include "blobs/fs/fs_blob_store.h"
#include "catalog/demo/demo_catalog.h"
#include "catalog/snapshot/builder.h"
#include "catalog/snapshot/snapshot.h"
#include "testing/store/catalog_fixture.h"
#include "vision/classic_extractor.h"
#include "vision/extractors.h"

namespace k9::catalog {
namespace {

struct Problems : ImportListener {
  std::vector<std::string> seen;
  void problem(const std::string& subject, const std::string& message) override { seen.push_back(subject + ": " + message); }
};

class ReindexTest : public testkit::CatalogFixture {
 protected:
  void SetUp() override {
    blobs_ = std::make_unique<blobs::fs::FsBlobStore>(
        dir_ / "blobs", std::make_shared<blobs::FileUrlSigner>("reindex-test-secret-0123456789-012345", "http://x"));
    demo::DemoCatalog(demo::DemoOptions::small(6)).write(dir_ / "catalog");
    Problems quiet;
    import_catalog(dir_ / "catalog", *products_, *embeddings_, classic_1_, quiet, {1, blobs_.get()});
  }
  ImportSummary reindex(Problems& p) { return reindex_catalog(*products_, *embeddings_, *blobs_, *classic_2_, p, 2); }

  std::unique_ptr<blobs::fs::FsBlobStore> blobs_;
  vision::ClassicExtractor classic_1_;
  std::unique_ptr<vision::Extractor> classic_2_ = vision::make_extractor("k9-classic-2");
};

TEST_F(ReindexTest, WritesTheNewVersionBesideTheOldThenSkipsWhatIsDone) {
  auto before = embeddings_->get("demo-00002", "k9-classic-1");
  ASSERT_TRUE(before);
  Problems p;
  auto first = reindex(p);
  EXPECT_TRUE(p.seen.empty()) << p.seen.front();
  EXPECT_EQ(first.total, 6u);
  EXPECT_EQ(first.added, 6u);
  EXPECT_EQ(first.images, 12u);
  auto e = embeddings_->get("demo-00002", "k9-classic-2");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->count(), 2u);
  EXPECT_EQ(e->source_hash, products_->get("demo-00002")->content_hash);
  EXPECT_NE(e->vectors, before->vectors) << "another model's vectors";
  auto old = embeddings_->get("demo-00002", "k9-classic-1");
  EXPECT_EQ(old->vectors, before->vectors) << "the old version's embedding is kept as it was";

  auto again = reindex(p);
  EXPECT_EQ(again.unchanged, 6u);
  EXPECT_EQ(again.images, 0u) << "nothing analysed twice";

  // A product changed by a later import is computed again; the others are not.
  auto changed = products_->get("demo-00004");
  changed->product.model = "Renamed";
  products_->put(changed->product, "another content hash");
  auto third = reindex(p);
  EXPECT_EQ(third.updated, 1u);
  EXPECT_EQ(third.unchanged, 5u);
  EXPECT_EQ(embeddings_->get("demo-00004", "k9-classic-2")->source_hash, "another content hash");

  // Its snapshot lives beside the old one.
  auto path = snapshot::snapshot_path(dir_.path(), "k9-classic-2");
  auto built = snapshot::ensure_snapshot(*products_, *embeddings_, "k9-classic-2", path);
  EXPECT_EQ(built.products, 6u);
  EXPECT_FALSE(snapshot::ensure_snapshot(*products_, *embeddings_, "k9-classic-2", path).rebuilt);
  EXPECT_EQ(snapshot::Snapshot::open(path).model_version(), "k9-classic-2");
}

TEST_F(ReindexTest, AnImageMissingFromTheBlobStoreIsReportedAndTheRestGoesOn) {
  auto p3 = products_->get("demo-00003");
  blobs_->remove(p3->product.images[0].url);
  Problems p;
  auto s = reindex(p);
  EXPECT_EQ(s.added, 6u) << "product 3 keeps its other photo";
  EXPECT_EQ(s.image_errors, 1u);
  ASSERT_EQ(p.seen.size(), 1u);
  EXPECT_NE(p.seen[0].find("demo-00003"), std::string::npos) << p.seen[0];
  EXPECT_EQ(embeddings_->get("demo-00003", "k9-classic-2")->count(), 1u);
}

}  // namespace
}  // namespace k9::catalog
