// The analysis of a report (SPEC sections 0 and 4), run as a background job: the reference
// product's photos -> feature vectors (stored as the reference product's embedding) -> scores
// against the catalog snapshot of the report's model version -> the similarity matrix in the
// blob store -> analysis.status "ready".
//
// Contract:
//  - enqueue_item() is the job, for the transaction that creates the report (the job exists
//    exactly when the report does); queue kQueue, id = report id.
//  - run() moves analysis.status pending -> running -> ready. A report deleted meanwhile ends
//    the job quietly. Bad input (no image K9 holds, an image the extractor refuses) fails at
//    once: fail() sets status "failed" with a message naming the image. Store and blob faults
//    throw jobs::RetryLater (status back to "pending"): the worker pool retries with backoff
//    and calls fail() after its last attempt.
//  - score() computes (or recomputes, after the catalog changed) a reference's matrix from its
//    stored embedding; search uses it when a matrix is missing or of an older snapshot.
//  - Versions: `extractor` is the version new analyses and embed() use; a report created
//    under another version (before the server's setting changed) is analysed with its own
//    version (vision/extractors.h makes it), and its matrix is scored against that version's
//    snapshot, so a report keeps the version it was created with. An unknown version fails
//    the job for good.
//  - Thread-safe: runs on several workers at once.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "analysis/catalog_snapshots.h"
#include "analysis/matrices.h"
#include "jobs/job_queue.h"
#include "repo/embedding_repository.h"
#include "repo/report_repository.h"
#include "search/score_matrix.h"
#include "uploads/image_files.h"
#include "vision/extractor.h"

namespace k9::analysis {

inline constexpr const char* kQueue = "analysis";

class ReportAnalysis {
 public:
  ReportAnalysis(repo::ReportRepository& reports, repo::EmbeddingRepository& embeddings, uploads::ImageFiles& images,
                 const vision::Extractor& extractor, CatalogSnapshots& snapshots, Matrices& matrices,
                 unsigned scoring_threads = 0)
      : reports_(reports), embeddings_(embeddings), images_(images), extractor_(extractor), snapshots_(snapshots),
        matrices_(matrices), threads_(scoring_threads) {}

  static store::PutRequest enqueue_item(const jobs::JobQueue& queue, const std::string& user_id,
                                        const std::string& report_id);
  void run(const jobs::Job& job);
  void fail(const jobs::Job& job, const std::string& message);
  // One photo to embed, with the request field that named it (for errors).
  struct Photo {
    std::string image;
    std::optional<std::string> mask;
    std::optional<Selection> selection;
    std::string field;
  };
  // Computes and stores the embedding of a user's own product (POST /embeddings/compute),
  // owned by `owner` (never part of the catalog snapshot). A photo the extractor refuses is
  // k9::Error bad_request naming its field.
  repo::Embedding embed(const std::string& owner, const std::string& product_id, const std::vector<Photo>& photos);
  Matrices& matrices() { return matrices_; }
  const std::string model_version() const { return extractor_.model_version(); }
  // A deleted report's reference: its embedding and matrix go (its job ends by itself).
  void forget(const Product& reference, const std::string& model_version);

  // The matrix of `reference` (its embedding of `model_version` must exist) against the
  // current snapshot, saved. nullptr when the reference has no embedding.
  std::shared_ptr<const search::ScoreMatrix> score(const Product& reference, const std::string& model_version);
  // The matrix to search: the saved one when it was scored against the current snapshot,
  // else scored again. nullptr when the reference has no embedding. An empty `model_version`
  // (a report analysed before versions were stamped) is kUnstampedModelVersion.
  std::shared_ptr<const search::ScoreMatrix> matrix_for(const Product& reference, const std::string& model_version,
                                                        std::shared_ptr<const LoadedSnapshot>* snapshot_out = nullptr);

 private:
  std::vector<float> reference_vectors(const Product& reference, const vision::Extractor& extractor);
  // `extractor_` for its own version, else one made for `version` (kept for later reports).
  const vision::Extractor& extractor_for(const std::string& version);
  // Scores `vectors` against `loaded` (nullptr: an empty catalog) and saves the matrix.
  std::shared_ptr<const search::ScoreMatrix> score_vectors(const Product& reference, const std::string& model_version,
                                                           const std::vector<float>& vectors,
                                                           const LoadedSnapshot* loaded);

  repo::ReportRepository& reports_;
  repo::EmbeddingRepository& embeddings_;
  uploads::ImageFiles& images_;
  const vision::Extractor& extractor_;
  std::mutex others_mutex_;
  std::map<std::string, std::unique_ptr<vision::Extractor>> others_;  // other versions' extractors
  CatalogSnapshots& snapshots_;
  Matrices& matrices_;
  unsigned threads_;
};

}  // namespace k9::analysis
