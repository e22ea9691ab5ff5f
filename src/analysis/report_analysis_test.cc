#include "analysis/report_analysis.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "blobs/fs/fs_blob_store.h"
#include "catalog/demo/demo_catalog.h"
#include "catalog/importer.h"
#include "catalog/snapshot/builder.h"
#include "codec/codec.h"
#include "jobs/worker_pool.h"
#include "search/npz.h"
#include "testing/store/catalog_fixture.h"
#include "catalog/reindex.h"
#include "vision/classic_extractor.h"
#include "vision/extractors.h"

namespace k9::analysis {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A blob store whose writes fail while `failures` is positive: the transient fault of an S3
// outage, injected through the port.
class FlakyBlobs final : public blobs::BlobStore {
 public:
  explicit FlakyBlobs(blobs::BlobStore& inner) : inner_(inner) {}
  int failures = 0;
  void put(const std::string& k, std::string_view b, const std::string& t) override {
    if (failures > 0 && k.starts_with("similarity_matrices/")) {
      --failures;
      throw blobs::Unavailable("injected: S3 is down");
    }
    inner_.put(k, b, t);
  }
  void put_file(const std::string& k, const fs::path& f, const std::string& t) override { inner_.put_file(k, f, t); }
  std::optional<blobs::Blob> get(const std::string& k) override { return inner_.get(k); }
  std::optional<blobs::BlobInfo> head(const std::string& k) override { return inner_.head(k); }
  void remove(const std::string& k) override { inner_.remove(k); }
  void copy(const std::string& a, const std::string& b) override { inner_.copy(a, b); }
  blobs::ListPage list(const std::string& p, const std::string& s, size_t l) override { return inner_.list(p, s, l); }
  std::string presigned_get_url(const std::string& k, std::chrono::seconds e) override {
    return inner_.presigned_get_url(k, e);
  }

 private:
  blobs::BlobStore& inner_;
};

class ReportAnalysisTest : public testkit::CatalogFixture {
 protected:
  ReportAnalysisTest() : CatalogFixture("analysis") {}
  void SetUp() override {
    store_->ensure_table(jobs::JobQueue::schema(tables_.jobs));
    disk_ = std::make_unique<blobs::fs::FsBlobStore>(
        dir_ / "blobs", std::make_shared<blobs::FileUrlSigner>("analysis-test-secret-0123456789-0123", "http://x"));
    blobs_ = std::make_unique<FlakyBlobs>(*disk_);
    images_ = std::make_unique<uploads::ImageFiles>(*blobs_);
    reports_ = std::make_unique<repo::ReportRepository>(*store_, tables_, repo::CursorCodec("analysis-test-cursor-key"));
    queue_ = std::make_unique<jobs::JobQueue>(*store_, tables_.jobs);
    snapshots_ = std::make_unique<CatalogSnapshots>(dir_.path(), 0ms);
    matrices_ = std::make_unique<Matrices>(*blobs_, cache_);
    analysis_ = std::make_unique<ReportAnalysis>(*reports_, *embeddings_, *images_, extractor_, *snapshots_,
                                                 *matrices_, 1);
    reports_->set_analysis_version(extractor_.model_version());  // as cli::Runtime wires them
    // A small demo catalog, imported as `k9 catalog import` does, and its snapshot.
    demo_ = std::make_unique<catalog::demo::DemoCatalog>(catalog::demo::DemoOptions::small(9));
    demo_->write(dir_ / "catalog");
    catalog::ImportListener quiet;
    catalog::import_catalog(dir_ / "catalog", *products_, *embeddings_, extractor_, quiet, {1, disk_.get()});
    snapshots_->ensure(*products_, *embeddings_, extractor_.model_version());
  }

  // A report of `user` whose reference is an unseen photo of demo product `i`.
  Report report_of(size_t i, const std::string& user = "u1") {
    Product ref;
    ref.model = "Mine";
    ref.category = demo_->product(i).category;
    std::string key = "images/" + user + "/ref-" + std::to_string(i) + ".jpg";
    disk_->put(key, codec::encode_jpeg(demo_->photo(i, 500), 90));
    ref.images.push_back({"", key});
    return reports_->create(user, "U", "Kitchen", ref, [&](const Report& r) {
      return std::vector<store::TransactItem>{ReportAnalysis::enqueue_item(*queue_, user, r.id)};
    });
  }

  std::unique_ptr<blobs::fs::FsBlobStore> disk_;
  std::unique_ptr<FlakyBlobs> blobs_;
  std::unique_ptr<uploads::ImageFiles> images_;
  std::unique_ptr<repo::ReportRepository> reports_;
  std::unique_ptr<jobs::JobQueue> queue_;
  vision::ClassicExtractor extractor_;
  std::unique_ptr<CatalogSnapshots> snapshots_;
  search::MatrixCache cache_{64u << 20};
  std::unique_ptr<Matrices> matrices_;
  std::unique_ptr<ReportAnalysis> analysis_;
  std::unique_ptr<catalog::demo::DemoCatalog> demo_;
};

TEST_F(ReportAnalysisTest, AReportEndsReadyWithItsMatrixAndOwnedEmbedding) {
  Report r = report_of(3);
  EXPECT_EQ(reports_->get("u1", r.id).analysis.status, "pending");
  auto job = queue_->claim(kQueue, 1min);
  ASSERT_TRUE(job);
  analysis_->run(*job);
  auto after = reports_->get("u1", r.id);
  EXPECT_EQ(after.analysis.status, "ready");
  EXPECT_EQ(after.analysis.model_version, "k9-classic-1");
  auto e = embeddings_->get(r.reference.id, "k9-classic-1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->owner, "u1") << "a reference's embedding belongs to its user";
  auto blob = disk_->get(Matrices::key("k9-classic-1", r.reference.id));
  ASSERT_TRUE(blob);
  auto m = search::decode_npz(blob->bytes);
  ASSERT_EQ(m.size(), 9u);
  size_t best = 0;
  for (size_t i = 1; i < m.size(); ++i)
    if (m.column(search::Score::match)[i] > m.column(search::Score::match)[best]) best = i;
  EXPECT_EQ(m.product_id(best), demo_->product(3).id) << "the photographed product scores best";
  // The catalog snapshot leaves owned embeddings out: rebuilding changes nothing.
  EXPECT_FALSE(catalog::snapshot::ensure_snapshot(*products_, *embeddings_, "k9-classic-1",
                                                  snapshots_->path("k9-classic-1"))
                   .rebuilt);
}

TEST_F(ReportAnalysisTest, FileStorageOutagesRetryThenSucceedOrFail) {
  Report r = report_of(1);
  blobs_->failures = 2;
  std::string gave_up;
  jobs::WorkerOptions o;
  o.backoff_base = 10ms;
  o.poll = 5ms;
  o.max_attempts = 3;
  jobs::WorkerPool pool(*queue_, kQueue, [&](const jobs::Job& j) { analysis_->run(j); },
                        [&](const jobs::Job& j, const std::string& m) { gave_up = m, analysis_->fail(j, m); }, o);
  pool.start();
  for (int i = 0; i < 500 && queue_->size(kQueue); ++i) std::this_thread::sleep_for(10ms);
  pool.stop();
  EXPECT_EQ(queue_->size(kQueue), 0u);
  EXPECT_TRUE(gave_up.empty()) << gave_up;
  EXPECT_EQ(reports_->get("u1", r.id).analysis.status, "ready") << "third attempt succeeds";

  Report s = report_of(2);
  blobs_->failures = 100;  // down for good: gives up after max_attempts, saying why
  jobs::WorkerPool again(*queue_, kQueue, [&](const jobs::Job& j) { analysis_->run(j); },
                         [&](const jobs::Job& j, const std::string& m) { analysis_->fail(j, m); }, o);
  again.start();
  for (int i = 0; i < 500 && queue_->size(kQueue); ++i) std::this_thread::sleep_for(10ms);
  again.stop();
  auto failed = reports_->get("u1", s.id).analysis;
  EXPECT_EQ(failed.status, "failed");
  EXPECT_NE(failed.error.value_or("").find("S3 is down"), std::string::npos) << failed.error.value_or("");
}

TEST_F(ReportAnalysisTest, BadPhotosFailAtOnceNamingTheImage) {
  Product ref;
  ref.model = "Mine";
  ref.images.push_back({"", "images/u1/broken.jpg"});
  disk_->put("images/u1/broken.jpg", std::string("\xFF\xD8\xFF\xE0 not really a jpeg"));
  Report r = reports_->create("u1", "U", "Broken", ref, [&](const Report& created) {
    return std::vector<store::TransactItem>{ReportAnalysis::enqueue_item(*queue_, "u1", created.id)};
  });
  auto job = queue_->claim(kQueue, 1min);
  ASSERT_TRUE(job);
  try {
    analysis_->run(*job);
    FAIL() << "a broken photo was analysed";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request);
    EXPECT_NE(std::string(e.what()).find("reference.images[0]"), std::string::npos) << e.what();
    analysis_->fail(*job, e.what());
  }
  auto a = reports_->get("u1", r.id).analysis;
  EXPECT_EQ(a.status, "failed");
  EXPECT_NE(a.error.value_or("").find("reference.images[0]"), std::string::npos);
}

TEST_F(ReportAnalysisTest, ADeletedReportsJobEndsQuietly) {
  Report r = report_of(4);
  reports_->remove("u1", r.id);
  auto job = queue_->claim(kQueue, 1min);
  ASSERT_TRUE(job);
  analysis_->run(*job);  // nothing to do, no throw
  EXPECT_FALSE(embeddings_->get(r.reference.id, "k9-classic-1"));
  EXPECT_FALSE(disk_->head(Matrices::key("k9-classic-1", r.reference.id)));
}

TEST_F(ReportAnalysisTest, AMatrixOfAnOlderCatalogIsScoredAgain) {
  Report r = report_of(5);
  auto job = queue_->claim(kQueue, 1min);
  analysis_->run(*job);
  std::shared_ptr<const LoadedSnapshot> snap;
  auto first = analysis_->matrix_for(r.reference, "k9-classic-1", &snap);
  ASSERT_EQ(first->size(), 9u);
  // The catalog loses a product: a new snapshot, and the next read scores against it.
  embeddings_->remove(demo_->product(0).id, "k9-classic-1");
  snapshots_->ensure(*products_, *embeddings_, "k9-classic-1");
  auto second = analysis_->matrix_for(r.reference, "k9-classic-1", &snap);
  ASSERT_EQ(second->size(), 8u);
  EXPECT_EQ(second->find(demo_->product(0).id), second->size());
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->snapshot.size(), 8u);
}


// Issue 19: a report keeps the model version it was created with, and stays searchable, when
// the server's version (the extractor and the repository's analysis version) changes either way.
TEST_F(ReportAnalysisTest, AReportOfEachVersionIsSearchableAfterTheOtherBecameTheDefault) {
  catalog::ImportListener quiet;
  auto classic_2 = vision::make_extractor("k9-classic-2");
  auto reindexed = catalog::reindex_catalog(*products_, *embeddings_, *disk_, *classic_2, quiet, 1);
  ASSERT_EQ(reindexed.added, 9u);
  snapshots_->ensure(*products_, *embeddings_, "k9-classic-2");
  auto best_of = [&](const search::ScoreMatrix& m) {
    size_t best = 0;
    for (size_t i = 1; i < m.size(); ++i)
      if (m.column(search::Score::match)[i] > m.column(search::Score::match)[best]) best = i;
    return m.product_id(best);
  };

  Report old = report_of(3);  // k9-classic-1, the server's version before the switch
  Report waiting = report_of(5);  // created under k9-classic-1, analysed after the switch
  analysis_->run(*queue_->claim(kQueue, 1min));
  ASSERT_EQ(reports_->get("u1", old.id).analysis.status, "ready");

  // k9-classic-2 becomes the server's version.
  reports_->set_analysis_version("k9-classic-2");
  ReportAnalysis second(*reports_, *embeddings_, *images_, *classic_2, *snapshots_, *matrices_, 1);
  Report fresh = report_of(4);
  EXPECT_EQ(reports_->get("u1", fresh.id).analysis.model_version, "k9-classic-2");
  second.run(*queue_->claim(kQueue, 1min));  // `waiting`
  second.run(*queue_->claim(kQueue, 1min));  // `fresh`
  auto w = reports_->get("u1", waiting.id);
  EXPECT_EQ(w.analysis.status, "ready");
  EXPECT_EQ(w.analysis.model_version, "k9-classic-1") << "a report keeps the version it was created with";
  EXPECT_TRUE(embeddings_->get(waiting.reference.id, "k9-classic-1"));
  EXPECT_FALSE(embeddings_->get(waiting.reference.id, "k9-classic-2"));
  auto f = reports_->get("u1", fresh.id);
  EXPECT_EQ(f.analysis.status, "ready");
  EXPECT_EQ(f.analysis.model_version, "k9-classic-2");

  for (auto* a : {analysis_.get(), &second}) {  // whichever is the default now
    auto m1 = a->matrix_for(old.reference, "k9-classic-1");
    ASSERT_TRUE(m1);
    EXPECT_EQ(m1->model_version, "k9-classic-1");
    EXPECT_EQ(m1->size(), 9u);
    EXPECT_EQ(best_of(*m1), demo_->product(3).id);
    matrices_->remove("k9-classic-2", fresh.reference.id);  // scored again from the embedding
    auto m2 = a->matrix_for(fresh.reference, "k9-classic-2");
    ASSERT_TRUE(m2);
    EXPECT_EQ(m2->model_version, "k9-classic-2");
    EXPECT_EQ(best_of(*m2), demo_->product(4).id);
  }
}

// A report written before versions were stamped (no analysis.modelVersion) was made with
// k9-classic-1: it is analysed, read and forgotten as k9-classic-1 by a server whose version
// is the new default.
TEST_F(ReportAnalysisTest, AnUnstampedReportReadsAsClassic1UnderTheNewDefault) {
  ASSERT_STREQ(kUnstampedModelVersion, "k9-classic-1");
  ASSERT_STRNE(kNewAnalysisModelVersion, kUnstampedModelVersion);
  reports_->set_analysis_version("");  // what reports of that time hold
  Report old = report_of(3);
  ASSERT_EQ(reports_->get("u1", old.id).analysis.model_version, "");
  reports_->set_analysis_version(kNewAnalysisModelVersion);
  auto current = vision::make_extractor(kNewAnalysisModelVersion);
  ReportAnalysis server(*reports_, *embeddings_, *images_, *current, *snapshots_, *matrices_, 1);
  server.run(*queue_->claim(kQueue, 1min));
  auto after = reports_->get("u1", old.id);
  EXPECT_EQ(after.analysis.status, "ready");
  EXPECT_EQ(after.analysis.model_version, "k9-classic-1");
  EXPECT_TRUE(embeddings_->get(old.reference.id, "k9-classic-1"));
  EXPECT_FALSE(embeddings_->get(old.reference.id, kNewAnalysisModelVersion));
  auto m = server.matrix_for(old.reference, "");  // read by its (empty) stamp
  ASSERT_TRUE(m);
  EXPECT_EQ(m->model_version, "k9-classic-1");
  EXPECT_EQ(m->size(), 9u);
  server.forget(old.reference, "");
  EXPECT_FALSE(embeddings_->get(old.reference.id, "k9-classic-1"));
}

}  // namespace
}  // namespace k9::analysis
