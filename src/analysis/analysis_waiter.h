// Waiting, bounded, for a report's analysis to end: for clients that cannot poll (the
// published web app's compatibility routes, api/webapp_routes.h), whose request must return
// once the analysis is ready instead of answering 409 while it runs.
//
// Contract:
//  - wait() answers the report (ReportRepository::get: not_found for one that is absent or
//    not the user's) as soon as its analysis.status is "ready" or "failed", or as it is when
//    `timeout` has passed (status "pending" or "running"). It never changes anything.
//  - It rereads the report when the repository reports a committed change to that user's
//    reports (an analysis run by this process's workers: woken at once), and at least every
//    `poll` (an analysis run by another process, e.g. a Lambda in AWS mode).
//  - The constructor registers a change listener on the repository (ReportRepository: before
//    serving). The listener holds only shared state, so it stays harmless if the repository
//    outlives the waiter.
//  - Thread-safe: any number of requests wait at once, each on its own thread.
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "repo/report_repository.h"

namespace k9::analysis {

class AnalysisWaiter {
 public:
  explicit AnalysisWaiter(repo::ReportRepository& reports,
                          std::chrono::milliseconds poll = std::chrono::milliseconds(500));
  ~AnalysisWaiter();
  AnalysisWaiter(const AnalysisWaiter&) = delete;
  AnalysisWaiter& operator=(const AnalysisWaiter&) = delete;

  Report wait(const std::string& user_id, const std::string& report_id, std::chrono::milliseconds timeout);

  // Whether an analysis status is final (ready or failed).
  static bool ended(const Analysis& a) { return a.status == "ready" || a.status == "failed"; }

  struct Changes;  // what the listener and the waiters share

 private:
  repo::ReportRepository& reports_;
  std::chrono::milliseconds poll_;
  std::shared_ptr<Changes> changes_;
};

}  // namespace k9::analysis
