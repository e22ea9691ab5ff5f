// The routes of a report's results (SPEC section 3): search, one product beside the
// reference, favorites with their scores, and the export ZIP. They read the report's
// similarity matrix (analysis/report_analysis.h) and the catalog snapshot it was scored
// against; a report whose analysis is not ready answers 409 with Retry-After.
#pragma once
#include "analysis/report_analysis.h"
#include "api/route.h"
#include "repo/product_repository.h"
#include "repo/report_repository.h"
#include "uploads/image_files.h"

namespace k9::api {

class ResultRoutes final : public RouteGroup {
 public:
  // `images` null: image urls shown as stored, and the export holds no images.
  ResultRoutes(repo::ReportRepository& reports, analysis::ReportAnalysis& analysis, repo::ProductRepository& products,
               uploads::ImageFiles* images)
      : reports_(reports), analysis_(analysis), products_(products), images_(images) {}
  std::vector<Route> routes() override;

  // A report whose analysis is ready, its matrix, and the snapshot it was scored against
  // (nullptr when the catalog is empty or changed this very moment). 409 when not ready.
  struct Results {
    Report report;
    std::shared_ptr<const search::ScoreMatrix> matrix;
    std::shared_ptr<const analysis::LoadedSnapshot> snapshot;
  };
  Results results(const std::string& user_id, const std::string& report_id);

 private:
  Response search(const Call& c);
  Response product(const Call& c);
  Response favorites(const Call& c);
  Response export_zip(const Call& c);

  repo::ReportRepository& reports_;
  analysis::ReportAnalysis& analysis_;
  repo::ProductRepository& products_;
  uploads::ImageFiles* images_;
};

}  // namespace k9::api
