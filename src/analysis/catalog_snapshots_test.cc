// The catalog snapshot kept in the blob store (SPEC section 4, AWS mode): `k9 catalog import`
// publishes it, a server whose data folder has none fetches it, a newer one replaces it. The
// filesystem BlobStore stands in for S3 (it passes the same conformance suite).
#include "analysis/catalog_snapshots.h"

#include <gtest/gtest.h>

#include "blobs/fs/fs_blob_store.h"
#include "catalog/demo/demo_catalog.h"
#include "catalog/importer.h"
#include "catalog/snapshot/builder.h"
#include "testing/store/catalog_fixture.h"
#include "vision/classic_extractor.h"

namespace k9::analysis {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The importer's machine keeps its store at the top of the test's folder and its snapshot in
// importer/; a server's data folder is server/.
class SnapshotBlobTest : public testkit::CatalogFixture {
 protected:
  SnapshotBlobTest() : CatalogFixture("snapblob") {}
  // `k9 catalog import` on the importer's machine: a demo catalog of `count`, its snapshot
  // built and published. Answers whether it uploaded.
  bool import_and_publish(size_t count) {
    catalog::demo::DemoOptions o;
    o.count = count;
    o.photos = 1;
    o.photo_size = {160, 120};
    o.sheet_side = 256;
    catalog::demo::DemoCatalog demo(o);
    demo.write(dir_ / "catalog");
    catalog::ImportListener quiet;
    catalog::import_catalog(dir_ / "catalog", *products_, *embeddings_, extractor_, quiet);
    auto file = catalog::snapshot::snapshot_path(dir_ / "importer", version());
    catalog::snapshot::ensure_snapshot(*products_, *embeddings_, version(), file);
    return publish_snapshot(*remote_, version(), file);
  }
  std::string version() const { return extractor_.model_version(); }

  std::unique_ptr<blobs::fs::FsBlobStore> remote_ = std::make_unique<blobs::fs::FsBlobStore>(
      dir_ / "remote", std::make_shared<blobs::FileUrlSigner>("snap-test-secret-0123456789-0123456789", "http://127.0.0.1:1"));
  vision::ClassicExtractor extractor_;
};

TEST_F(SnapshotBlobTest, AServerWithoutASnapshotGetsItAndANewerOneReplacesIt) {
  ASSERT_TRUE(import_and_publish(3));
  EXPECT_TRUE(remote_->head("snapshots/" + version() + ".k9snap"));
  EXPECT_FALSE(import_and_publish(3));  // nothing changed: not uploaded again

  // A server on another machine: an empty data folder.
  CatalogSnapshots server(dir_ / "server", 0ms, remote_.get(), 0ms);
  auto first = server.current(version());
  ASSERT_TRUE(first);
  EXPECT_EQ(first->snapshot.size(), 3u);
  EXPECT_TRUE(fs::exists(server.path(version())));
  EXPECT_EQ(server.current(version())->snapshot.size(), 3u);  // nothing newer: the same one
  EXPECT_EQ(server.current(version()).get(), first.get());
  EXPECT_FALSE(fetch_snapshot(*remote_, version(), server.path(version())));

  // A later import publishes a bigger catalog: the server maps it; holders of the old one keep it.
  ASSERT_TRUE(import_and_publish(5));
  auto second = server.current(version());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->snapshot.size(), 5u);
  EXPECT_EQ(first->snapshot.size(), 3u);
  for (auto& e : fs::directory_iterator(server.path(version()).parent_path()))
    EXPECT_EQ(e.path().filename().string().find(".download-"), std::string::npos) << e.path();  // no leftovers
}

TEST_F(SnapshotBlobTest, TheRemoteIsLookedAtOnlyOnceAMinute) {
  ASSERT_TRUE(import_and_publish(3));
  CatalogSnapshots server(dir_ / "server", 0ms, remote_.get());  // the default: a minute
  ASSERT_EQ(server.current(version())->snapshot.size(), 3u);
  ASSERT_TRUE(import_and_publish(4));
  EXPECT_EQ(server.current(version())->snapshot.size(), 3u);  // not yet looked at again
}

TEST_F(SnapshotBlobTest, ALocallyBuiltNewerSnapshotIsKept) {
  ASSERT_TRUE(import_and_publish(3));
  // The server's own copy, built after the remote one was published (ensure() at start).
  auto local = dir_ / "server" / "snapshots" / (version() + ".k9snap");
  fs::create_directories(local.parent_path());
  fs::copy_file(catalog::snapshot::snapshot_path(dir_ / "importer", version()), local);
  fs::last_write_time(local, fs::file_time_type::clock::now() + 1h);
  EXPECT_FALSE(fetch_snapshot(*remote_, version(), local));
  // Without a remote snapshot, the local one serves.
  remote_->remove("snapshots/" + version() + ".k9snap");
  CatalogSnapshots server(dir_ / "server", 0ms, remote_.get(), 0ms);
  EXPECT_EQ(server.current(version())->snapshot.size(), 3u);
}

}  // namespace
}  // namespace k9::analysis
