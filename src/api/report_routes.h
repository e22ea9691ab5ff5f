// A user's reports (SPEC section 3): list, create (with its analysis job in the same
// transaction), read, retitle, delete (its files and matrix too), and mark favorites.
#pragma once
#include <functional>
#include <memory>

#include "analysis/report_analysis.h"
#include "api/list_cache.h"
#include "api/route.h"
#include "jobs/job_queue.h"
#include "repo/report_repository.h"
#include "uploads/image_files.h"

namespace k9::api {

// How a created report's analysis is started, and a deleted one's results removed.
struct AnalysisStart {
  analysis::ReportAnalysis& analysis;
  jobs::JobQueue& jobs;
  std::function<void()> queued;  // after a report is created: wakes the workers (may be empty)
};

class ReportRoutes final : public RouteGroup {
 public:
  // `images` null: image urls are stored and shown as sent. `analysis` null: reports are
  // created without an analysis job. `cache_lists`: render GET /reports pages once per change
  // (list_cache.h): only when this process is the store's one writer (embedded SQLite).
  ReportRoutes(repo::ReportRepository& reports, uploads::ImageFiles* images, const AnalysisStart* analysis,
               bool cache_lists);
  std::vector<Route> routes() override;

 private:
  Response list(const Call& c);
  Response create(const Call& c);
  Response remove(const Call& c);

  repo::ReportRepository& reports_;
  uploads::ImageFiles* images_;
  std::optional<AnalysisStart> analysis_;
  std::unique_ptr<ListCache> list_cache_;  // nullptr: lists always read from the store
};

}  // namespace k9::api
