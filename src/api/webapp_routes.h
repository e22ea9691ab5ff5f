// The published web app's routes (issue 16; the protocol and every decision: docs/WEBAPP.md):
// the "Material API" paths the app calls, each a thin translation onto K9's own services and
// repositories. One data model: an app job IS a K9 report (its id is the job id), an album
// file IS one of the user's uploads, a search IS search::run_search over the report's matrix.
//
//   GET  /report                            every report of the caller, newest first
//   PUT  /fetch/{job}/album/{file}          one photo of a job not created yet (an upload)
//   PUT  /fetch/{job}                       create the report; answers once its analysis is ready
//   GET  /fetch/{job}                       the reference
//   POST /fetch/{job}[?start=N]             search (distances, tolerances), 50 results per answer
//   GET  /fetch/{job}/product/{productId}   one product with its distances
//   GET  /report/{job}/favorites            favorite products with their distances
//   PUT  /report/{job}/favorites            {"product_ids": [...]}: replace the favorites
//   POST /report/{job}/favorites            {"product_id": "..."}: toggle one
//
// Ownership as K9's routes: another user's job is 404 on every read and change; creating (an
// album file or the job) on an id that exists, whoever owns it, is 409 and changes nothing, so
// an id is never claimed twice. Errors are K9's error bodies. The app never polls and shows
// invented results on any search error, so the create and every result route wait for the
// analysis (bounded: 503 with Retry-After past the bound) instead of answering 409.
#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "analysis/analysis_waiter.h"
#include "api/report_routes.h"
#include "api/route.h"
#include "repo/product_repository.h"
#include "repo/report_repository.h"
#include "uploads/image_files.h"

namespace k9::api {

struct WebAppOptions {
  // How long the create and the result routes wait for an analysis before answering 503.
  std::chrono::milliseconds analysis_wait{std::chrono::seconds(20)};
  // How often a waiting request rereads the report when no change is heard (analyses run by
  // another process).
  std::chrono::milliseconds analysis_poll{std::chrono::milliseconds(500)};
};

class WebAppRoutes final : public RouteGroup {
 public:
  WebAppRoutes(repo::ReportRepository& reports, repo::ProductRepository& products, uploads::ImageFiles& images,
               const AnalysisStart& analysis, WebAppOptions options = {});
  std::vector<Route> routes() override;

  static constexpr size_t kMaxJobChars = 256;       // the app's ids pass 128 (long titles)
  static constexpr size_t kMaxAlbumFileChars = 60;  // "img0.jpg"
  static constexpr size_t kResultsPerAnswer = 50;

 private:
  Response list(const Call& c);
  Response put_album_file(const Call& c);
  Response create(const Call& c);
  Response reference(const Call& c);
  Response search(const Call& c);
  Response product(const Call& c);
  Response favorites(const Call& c);
  Response replace_favorites(const Call& c);
  Response toggle_favorite(const Call& c);

  // The caller's report of a {job}: by exact id, else (a K9 report shown to the app as
  // "<id>__title__<title>") by the part before "__title__". not_found otherwise.
  Report resolve(const std::string& user_id, const std::string& job);
  // A report whose analysis is ready, with its matrix and snapshot: waits for a pending or
  // running one (503 past the bound); a failed one is 409 with its reason.
  struct Results {
    Report report;
    std::shared_ptr<const search::ScoreMatrix> matrix;
    std::shared_ptr<const analysis::LoadedSnapshot> snapshot;
  };
  Results results(const std::string& user_id, const std::string& job);
  Report wait_for_analysis(const std::string& user_id, const std::string& report_id);
  // The caller's album files of `job`: file name -> the key of its newest upload.
  std::map<std::string, std::string> album_files(const std::string& user_id, const std::string& job);

  repo::ReportRepository& reports_;
  repo::ProductRepository& products_;
  uploads::ImageFiles& images_;
  AnalysisStart analysis_;
  WebAppOptions options_;
  std::unique_ptr<analysis::AnalysisWaiter> waiter_;
};

namespace webapp {

// The app's normalisation of a title into its job id (jobIdentifiers.ts encodeReportTitle):
// lower-cased, white space runs to '-', all but [A-Za-z0-9_-] dropped, '-' runs collapsed,
// leading and trailing '-' dropped.
std::string title_slug(std::string_view title);
// The title the app shows for a job id (decodeReportId): the part after the first
// "__title__" (the whole id when nothing follows it), '-' to ' ', the first letter of each
// word upper-cased.
std::string title_of_job(std::string_view job);
// The job id the app is shown for a report: its id when it carries "__title__" (made by the
// app), else "<id>__title__<title_slug(title)>", the slug cut so that the whole stays within
// kMaxJobChars.
std::string job_of(const std::string& id, const std::string& title);
// The upload name of an album file: "album-<24 hex of SHA-256(job)>-<file>" (an upload name,
// uploads/image_files.h checked_upload_name).
std::string album_upload_name(const std::string& job, const std::string& file);

}  // namespace webapp

}  // namespace k9::api
