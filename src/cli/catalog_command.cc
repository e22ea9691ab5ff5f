#include "cli/catalog_command.h"

#include "cli/blob_config.h"

#include <cstdlib>

#include "analysis/catalog_snapshots.h"
#include "analysis/model_choice.h"
#include "catalog/snapshot/builder.h"
#include "catalog/importer.h"
#include "catalog/reindex.h"
#include "cli/progress.h"
#include "vision/extractors.h"
#include "vision_module/vision_module.h"

namespace k9::cli {

namespace {

class ProgressListener : public catalog::ImportListener {
 public:
  explicit ProgressListener(Progress& p) : progress_(p) {}
  void progress(size_t done, size_t total) override { progress_.update(done, total); }
  void problem(const std::string& subject, const std::string& message) override {
    progress_.message("problem: " + subject + ": " + message);
  }

 private:
  Progress& progress_;
};

// Brings the snapshot of `version` up to date and, in AWS mode, publishes it. False when it
// could not be uploaded.
bool refresh_snapshot(const Config& config, repo::ProductRepository& products, repo::EmbeddingRepository& embeddings,
                      blobs::BlobStore& blobs, const std::string& version, std::ostream& out) {
  auto path = catalog::snapshot::snapshot_path(config.data, version);
  auto snap = catalog::snapshot::ensure_snapshot(products, embeddings, version, path);
  out << "snapshot " << path.string() << ": " << snap.products << " products, " << snap.vectors << " vectors"
      << (snap.rebuilt ? " (rebuilt)" : " (up to date)") << "\n";
  // AWS mode: servers elsewhere (and Lambdas) read the snapshot from the blob store.
  if (config.blobs.rfind("s3://", 0) == 0 && std::filesystem::exists(path)) {
    try {
      bool uploaded = analysis::publish_snapshot(blobs, version, path);
      out << "snapshot " << (uploaded ? "uploaded to " : "already in ") << "the blob store as "
          << analysis::snapshot_key(version) << "\n";
    } catch (const std::exception& e) {
      out << "problem: snapshot not uploaded to the blob store (run the command again): " << e.what() << "\n";
      return false;
    }
  }
  return true;
}

void print_summary(const std::string& what, const catalog::ImportSummary& s, std::ostream& out) {
  out << what << ": " << s.total << " products, " << s.added << " added, " << s.updated << " updated, " << s.unchanged
      << " unchanged, " << s.failed << " failed; " << s.images << " images analysed, " << s.image_errors
      << " image problems";
  if (s.skipped) out << "; " << s.skipped << " REFERENCE rows skipped";
  out << "\n";
}

struct CatalogStore {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<repo::ProductRepository> products;
  std::unique_ptr<repo::EmbeddingRepository> embeddings;
};

CatalogStore open_catalog_store(const Config& config) {
  if (config.store.empty() || config.store.rfind("sqlite:", 0) == 0) std::filesystem::create_directories(config.data);
  CatalogStore c;
  c.store = open_store(config);
  auto tables = repo::Tables::from_env([](const char* n) { return std::getenv(n); });
  for (auto& schema : tables.schemas()) c.store->ensure_table(schema);
  c.products = std::make_unique<repo::ProductRepository>(*c.store, tables);
  c.embeddings = std::make_unique<repo::EmbeddingRepository>(*c.store, tables);
  return c;
}

}  // namespace

int import_catalog_command(const Config& config, const std::filesystem::path& dir, int workers, std::ostream& out) {
  auto c = open_catalog_store(config);
  auto blobs = open_blobs(config);  // catalog images go where report images go
  std::string version = config.model_version;
  if (!config.model_version_set) {  // a catalog of an older version stays one version until reindexed
    blobs::BlobStore* remote = config.blobs.rfind("s3://", 0) == 0 ? blobs.store.get() : nullptr;
    auto choice = analysis::choose_model_version(std::nullopt, [&](const std::string& v) {
      return analysis::catalog_has_version(config.data, remote, *c.embeddings, v);
    });
    if (!choice.warning.empty()) out << "note: " << choice.warning << "\n";
    version = choice.version;
  }
  auto extractor = vision::make_extractor(version);
  Progress progress("import");
  ProgressListener listener(progress);
  auto s = catalog::import_catalog(dir, *c.products, *c.embeddings, *extractor, listener, {workers, blobs.store.get()});
  progress.finish();
  print_summary("imported " + dir.string() + " (" + extractor->model_version() + ")", s, out);
  if (!refresh_snapshot(config, *c.products, *c.embeddings, *blobs.store, extractor->model_version(), out)) return 2;
  return s.failed ? 2 : 0;
}

int reindex_catalog_command(const Config& config, int workers, std::ostream& out) {
  auto c = open_catalog_store(config);
  auto extractor = vision::make_extractor(config.model_version);
  Progress progress("reindex");
  ProgressListener listener(progress);
  auto blobs = open_blobs(config);
  auto s = catalog::reindex_catalog(*c.products, *c.embeddings, *blobs.store, *extractor, listener, workers);
  progress.finish();
  print_summary("reindexed the catalog (" + extractor->model_version() + ")", s, out);
  if (!refresh_snapshot(config, *c.products, *c.embeddings, *blobs.store, extractor->model_version(), out)) return 2;
  return s.failed ? 2 : 0;
}

int demo_catalog_command(const Config& config, const DemoCommandOptions& o, std::ostream& out) {
  std::filesystem::path dir = o.out.empty() ? config.data / "demo-catalog" : o.out;
  {
    Progress progress("demo catalog");
    vision_module::write_demo_catalog({.count = o.count, .seed = o.seed, .photos = o.photos}, dir,
                                      [&](size_t done, size_t total) { progress.update(done, total); });
    progress.finish();
  }
  out << "wrote " << o.count << " products with " << o.photos << " photos each to " << dir.string() << "\n";
  return o.import ? import_catalog_command(config, dir, o.workers, out) : 0;
}

}  // namespace k9::cli
