#include "migrate/batch_writer.h"

#include <algorithm>

namespace k9::migrate {

BatchWriter::BatchWriter(Write write, int writers)
    : write_(std::move(write)), depth_(2 * static_cast<size_t>(std::max(1, writers))) {
  for (int i = 0; i < std::max(1, writers); ++i) threads_.emplace_back([this] { run(); });
}

BatchWriter::~BatchWriter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  changed_.notify_all();
  for (auto& t : threads_) t.join();
}

void BatchWriter::run() {
  for (;;) {
    std::pair<uint64_t, std::vector<store::Item>> job;
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    std::exception_ptr failed;
    try {
      write_(job.second);
    } catch (...) {
      failed = std::current_exception();
    }
    {
      std::lock_guard lock(mu_);
      ++finished_;
      if (failed) {
        if (!failure_) failure_ = failed;
        queue_.clear();
      } else {
        written_.insert(job.first);
      }
    }
    changed_.notify_all();
  }
}

void BatchWriter::rethrow_failure() {
  if (failure_) std::rethrow_exception(failure_);
}

void BatchWriter::submit(std::vector<store::Item> batch, store::Item cursor) {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return failure_ || submitted_ - finished_ < depth_; });
  rethrow_failure();
  pending_.emplace(submitted_, std::make_pair(std::move(cursor), batch.size()));
  queue_.emplace_back(submitted_++, std::move(batch));
  lock.unlock();
  changed_.notify_all();
}

std::optional<BatchWriter::Committed> BatchWriter::committed() {
  std::lock_guard lock(mu_);
  rethrow_failure();
  std::optional<Committed> answer;
  while (written_.erase(next_answer_)) {
    auto node = pending_.extract(next_answer_++);
    if (!answer) answer.emplace();
    answer->cursor = std::move(node.mapped().first);
    answer->items += node.mapped().second;
  }
  return answer;
}

void BatchWriter::finish() {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return failure_ || finished_ == submitted_; });
  rethrow_failure();
}

}  // namespace k9::migrate
