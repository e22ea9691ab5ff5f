#include "analysis/report_analysis.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "blobs/blob_store.h"
#include "catalog/importer.h"
#include "core/error.h"
#include "core/json.h"
#include "jobs/worker_pool.h"
#include "search/scorer.h"
#include "vision/extractors.h"

namespace k9::analysis {

namespace json = boost::json;

namespace {

struct Payload {
  std::string user_id, report_id;
};

Payload payload_of(const jobs::Job& job) {
  auto v = json::parse(job.payload).as_object();
  return {std::string(v.at("user_id").as_string()), std::string(v.at("report_id").as_string())};
}

// An empty matrix: the catalog has no product of this version yet.
std::shared_ptr<search::ScoreMatrix> empty_matrix(const std::string& model_version, const std::string& reference) {
  auto m = std::make_shared<search::ScoreMatrix>();
  m->model_version = model_version;
  m->reference_product_id = reference;
  m->id_width = 1;
  return m;
}

// An empty catalog's matrix is empty; otherwise it must be the snapshot's own.
bool same_snapshot(const search::ScoreMatrix& m, const LoadedSnapshot* s) { return s ? s->scored(m) : m.size() == 0; }

}  // namespace

store::PutRequest ReportAnalysis::enqueue_item(const jobs::JobQueue& queue, const std::string& user_id,
                                               const std::string& report_id) {
  return queue.enqueue_item(kQueue, report_id,
                            to_json_text(json::object{{"user_id", user_id}, {"report_id", report_id}}), user_id);
}

const vision::Extractor& ReportAnalysis::extractor_for(const std::string& version) {
  if (version == extractor_.model_version()) return extractor_;
  std::lock_guard lock(others_mutex_);
  auto& x = others_[version];
  if (!x) x = vision::make_extractor(version);  // k9::Error bad_request for an unknown version
  return *x;
}

std::vector<float> ReportAnalysis::reference_vectors(const Product& reference, const vision::Extractor& extractor) {
  std::vector<float> vectors;
  std::string skipped;
  for (size_t i = 0; i < reference.images.size(); ++i) {
    auto& img = reference.images[i];
    std::string field = "reference.images[" + std::to_string(i) + "]";
    auto bytes = images_.read(img.url);
    if (!bytes) {
      if (skipped.empty()) skipped = field + ".url is not an image K9 holds (upload it first)";
      continue;
    }
    std::optional<std::string> mask;
    if (img.mask && !img.mask->empty()) {
      mask = images_.read(*img.mask);
      if (!mask) throw bad_request(field + ".mask is not an image K9 holds (upload it first)");
    }
    vision::ExtractorInput in{*bytes};
    if (mask) in.mask = *mask;
    if (img.selection) in.selection = catalog::to_vision_selection(*img.selection);
    try {
      auto f = extractor.extract(in);
      vectors.insert(vectors.end(), f.vector.begin(), f.vector.end());
    } catch (const vision::ImageError& e) {
      throw bad_request(field + ": " + e.what());
    }
  }
  if (vectors.empty())
    throw bad_request(skipped.empty() ? "the reference product has no image to analyse" : skipped);
  return vectors;
}

std::shared_ptr<const search::ScoreMatrix> ReportAnalysis::score(const Product& reference,
                                                                 const std::string& model_version) {
  auto e = embeddings_.get(reference.id, model_version);
  if (!e) return nullptr;
  return score_vectors(reference, model_version, e->vectors, snapshots_.current(model_version).get());
}

std::shared_ptr<const search::ScoreMatrix> ReportAnalysis::score_vectors(const Product& reference,
                                                                         const std::string& model_version,
                                                                         const std::vector<float>& vectors,
                                                                         const LoadedSnapshot* loaded) {
  std::shared_ptr<search::ScoreMatrix> m;
  if (!loaded) {
    m = empty_matrix(model_version, reference.id);
  } else {
    search::Reference ref{reference.id, vectors, reference.category, reference.formats};
    m = std::make_shared<search::ScoreMatrix>(search::score_catalog(loaded->snapshot, ref, threads_));
  }
  std::shared_ptr<const search::ScoreMatrix> saved = std::move(m);
  matrices_.save(saved);
  return saved;
}

std::shared_ptr<const search::ScoreMatrix> ReportAnalysis::matrix_for(const Product& reference,
                                                                      const std::string& stamped_version,
                                                                      std::shared_ptr<const LoadedSnapshot>* out) {
  const std::string model_version = made_with_model_version(stamped_version);
  auto loaded = snapshots_.current(model_version);
  if (out) *out = loaded;
  auto m = matrices_.load(model_version, reference.id);
  if (m && same_snapshot(*m, loaded.get())) return m;
  // Missing, unreadable, or scored against an older catalog: score again against `loaded`
  // (tens of ms), so the matrix and the snapshot handed out always belong together.
  auto e = embeddings_.get(reference.id, model_version);
  if (!e) return nullptr;
  return score_vectors(reference, model_version, e->vectors, loaded.get());
}

void ReportAnalysis::run(const jobs::Job& job) {
  Payload p = payload_of(job);
  Report r;
  try {
    r = reports_.get(p.user_id, p.report_id);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::not_found) return;  // deleted meanwhile: nothing to do
    throw;
  }
  std::string version = made_with_model_version(r.analysis.model_version);
  const vision::Extractor& extractor = extractor_for(version);
  try {
    reports_.set_analysis(p.user_id, p.report_id, {"running", version, std::nullopt});
    repo::Embedding e;
    e.product_id = r.reference.id;
    e.model_version = version;
    e.dimension = extractor.dimension();
    e.owner = p.user_id;
    e.vectors = reference_vectors(r.reference, extractor);
    embeddings_.put(e);
    // The vectors just computed, not read back from the store.
    score_vectors(r.reference, version, e.vectors, snapshots_.current(version).get());
    reports_.set_analysis(p.user_id, p.report_id, {"ready", version, std::nullopt});
  } catch (const Error& e) {
    if (e.code() == ErrorCode::not_found) {
      // Deleted while we worked: what this run wrote goes too (DELETE removed what was there).
      try {
        forget(r.reference, version);
      } catch (const std::exception&) {
      }
      return;
    }
    if (!e.transient()) throw;  // a photo K9 cannot read, a bug: fails for good
    if (dynamic_cast<const blobs::Unavailable*>(&e)) {
      try {
        reports_.set_analysis(p.user_id, p.report_id, {"pending", version, std::nullopt});
      } catch (...) {
      }
      throw jobs::RetryLater(std::string("file storage unavailable: ") + e.what());
    }
    throw jobs::RetryLater(std::string("store unavailable: ") + e.what());
  }
}

repo::Embedding ReportAnalysis::embed(const std::string& owner, const std::string& product_id,
                                      const std::vector<Photo>& photos) {
  repo::Embedding e;
  e.product_id = product_id;
  e.model_version = extractor_.model_version();
  e.dimension = extractor_.dimension();
  e.owner = owner;
  for (auto& photo : photos) {
    vision::ExtractorInput in{photo.image};
    if (photo.mask) in.mask = *photo.mask;
    if (photo.selection) in.selection = catalog::to_vision_selection(*photo.selection);
    try {
      auto f = extractor_.extract(in);
      e.vectors.insert(e.vectors.end(), f.vector.begin(), f.vector.end());
    } catch (const vision::ImageError& ex) {
      throw bad_request(photo.field + ": " + ex.what());
    }
  }
  embeddings_.put(e);
  return e;
}

void ReportAnalysis::forget(const Product& reference, const std::string& model_version) {
  std::string version = made_with_model_version(model_version);
  matrices_.remove(version, reference.id);
  embeddings_.remove(reference.id, version);
}

void ReportAnalysis::fail(const jobs::Job& job, const std::string& message) {
  Payload p;
  try {
    p = payload_of(job);
  } catch (const std::exception&) {
    return;
  }
  try {
    // The report keeps the version it was created with.
    std::string version = reports_.get(p.user_id, p.report_id).analysis.model_version;
    reports_.set_analysis(p.user_id, p.report_id, {"failed", made_with_model_version(version), message});
  } catch (const Error&) {
    // the report is gone
  }
}

}  // namespace k9::analysis
