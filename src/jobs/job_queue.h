// A durable queue of background jobs kept in the store (SPEC section 0: embedded mode keeps
// its background work "in the store", so a job survives the process). Table `jobs`
// (K9_JOBS_TABLE, default k9-jobs-<ENVIRONMENT>): key `id`; index DueIndex: `queue` + `due`.
//
// Contract:
//  - enqueue() adds a job durably; enqueue_item() is the same put for a caller's
//    transaction, so that a job exists exactly when what it works on does. A job's id is
//    unique: enqueueing an id that is queued already changes nothing (enqueue answers false).
//  - claim() hands a due job (due <= now, oldest due first) to one claimant: it moves `due` to
//    now + lease and counts an attempt, conditioned on the `due` it read, so two workers
//    (threads or processes) never both win one claim. A claimant that dies leaves the job to
//    be claimed again when the lease ends; release_leases() makes every job of the queue due
//    now (leases and backoffs alike), for a process that knows it is the queue's only
//    consumer (`k9 serve` on SQLite, at start).
//  - finish() removes a claimed job; retry_at() makes it due again at a given time (retry_after:
//    a wait from now, on the queue's clock) and keeps the error. Both are conditioned on the claim (the `due` that claim() set): a claimant
//    whose lease was taken over changes nothing and gets LostLease.
//  - Store errors pass through (store::Unavailable: try again later).
#pragma once
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/clock.h"
#include "store/store.h"

namespace k9::jobs {

using TimePoint = std::chrono::system_clock::time_point;

struct Job {
  std::string id, queue;
  std::string payload;     // the handler's own (JSON text)
  int attempts = 0;        // claims so far, the current one included
  std::string due;         // ISO-8601 ms; while claimed, the end of the lease
  std::string last_error;  // of the previous attempt
  std::string created_at;
};

class LostLease : public std::runtime_error {
 public:
  LostLease() : std::runtime_error("the job's lease was taken over") {}
};

inline constexpr const char* kDueIndex = "DueIndex";

class JobQueue {
 public:
  JobQueue(store::Store& store, std::string table, const Clock& clock = Clock::system())
      : store_(store), table_(std::move(table)), clock_(clock) {}

  static store::TableSchema schema(const std::string& table);

  // `owner`: the user the job works for (attribute user_id), empty for none.
  store::PutRequest enqueue_item(const std::string& queue, const std::string& id, const std::string& payload,
                                 const std::string& owner = "") const;
  bool enqueue(const std::string& queue, const std::string& id, const std::string& payload,
               const std::string& owner = "");
  std::optional<Job> claim(const std::string& queue, std::chrono::milliseconds lease);
  void finish(const Job& claimed);
  void retry_at(const Job& claimed, TimePoint when, const std::string& error);
  void retry_after(const Job& claimed, std::chrono::milliseconds wait, const std::string& error) {
    retry_at(claimed, clock_.now() + wait, error);
  }
  size_t release_leases(const std::string& queue);
  std::optional<Job> get(const std::string& id);
  // Jobs in the queue, due or not (claimed ones included).
  size_t size(const std::string& queue);

 private:
  store::QueryRequest due_query(const std::string& queue) const;
  std::string now_text() const { return iso8601_ms(clock_.now()); }
  store::Store& store_;
  std::string table_;
  const Clock& clock_;
};

}  // namespace k9::jobs
