// Writes one table's batches to the target on several threads, so that the target's commits
// overlap (SQLite's group commit joins the batches waiting into one transaction and one fsync;
// DynamoDB serves BatchWriteItem calls in parallel), and tells, in the order the batches were
// submitted, how far they are all committed: a checkpoint may only name a cursor before which
// nothing is missing, whatever order the writers finished in.
//
// Contract: at most 2 x `writers` batches are queued or being written (submit() waits), so
// memory stays bounded. The first failure of a write is rethrown by the next submit(),
// committed() or finish() on the submitting thread; batches still queued are then dropped.
// The destructor waits for the writes under way (never for the queue) and joins the threads.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "store/item.h"

namespace k9::migrate {

class BatchWriter {
 public:
  using Write = std::function<void(const std::vector<store::Item>&)>;
  BatchWriter(Write write, int writers);
  ~BatchWriter();
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Queues `batch`; `cursor` is where a scan resumes once it and every earlier batch are
  // committed.
  void submit(std::vector<store::Item> batch, store::Item cursor);

  struct Committed {
    store::Item cursor;  // of the last batch committed with all before it
    uint64_t items = 0;  // items in the batches newly committed since the last answer
  };
  // What is newly committed, in order, since the last call; nullopt when nothing is.
  std::optional<Committed> committed();
  // Waits until every batch submitted is committed.
  void finish();

 private:
  void run();
  void rethrow_failure();  // with mu_ held

  Write write_;
  size_t depth_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::pair<uint64_t, std::vector<store::Item>>> queue_;
  std::map<uint64_t, std::pair<store::Item, size_t>> pending_;  // cursor and size by batch number
  std::set<uint64_t> written_;  // finished, not yet answered by committed()
  uint64_t submitted_ = 0, finished_ = 0, next_answer_ = 0;
  std::exception_ptr failure_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace k9::migrate
