#include "catalog/product_runner.h"

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace k9::catalog {

void run_products(size_t count, int workers, ImportListener& listener, ImportSummary& summary, const ProductStep& step) {
  std::mutex mutex;
  Problem problem = [&](const std::string& s, const std::string& m) {
    std::lock_guard lock(mutex);
    listener.problem(s, m);
  };
  std::atomic<size_t> next{0};
  size_t done = 0;
  std::exception_ptr fault;
  auto work = [&] {
    for (size_t i; (i = next++) < count;) {
      size_t images = 0, image_errors = 0;
      Outcome o;
      try {
        o = step(i, problem, images, image_errors);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!fault) fault = std::current_exception();
        next = count;
        return;
      }
      std::lock_guard lock(mutex);
      summary.images += images;
      summary.image_errors += image_errors;
      switch (o) {
        case Outcome::added: ++summary.added; break;
        case Outcome::updated: ++summary.updated; break;
        case Outcome::unchanged: ++summary.unchanged; break;
        case Outcome::failed: ++summary.failed; break;
      }
      listener.progress(++done, count);
    }
  };
  std::vector<std::jthread> threads;
  for (int t = 1; t < std::max(1, workers); ++t) threads.emplace_back(work);
  work();
  threads.clear();
  if (fault) std::rethrow_exception(fault);
}

}  // namespace k9::catalog
