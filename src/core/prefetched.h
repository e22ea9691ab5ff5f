// A value fetched on a thread of its own from construction, so that start-up does not wait for
// a round trip the first requests may not need (AWS mode's shared cursor key: an S3 GET, with a
// TLS handshake in a real sandbox, while the first invocation is decoded and authorised).
//
// Contract: get() waits for the first fetch and returns its value. When that fetch failed,
// get() fetches again on the caller's thread, one caller at a time, and throws what that
// attempt throws: a fault at start costs the requests that need the value, never the process,
// and the next such request tries again. Once fetched, the value is kept. `fetch` must stay
// callable for the object's life; the destructor waits for the first fetch to end.
#pragma once
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <utility>

namespace k9 {

template <class T>
class Prefetched {
 public:
  explicit Prefetched(std::function<T()> fetch)
      : fetch_(std::move(fetch)), first_(std::async(std::launch::async, [this] { return fetch_(); })) {}
  Prefetched(const Prefetched&) = delete;
  Prefetched& operator=(const Prefetched&) = delete;
  ~Prefetched() {
    if (first_.valid()) first_.wait();
  }

  T get() {
    std::lock_guard lock(mu_);
    if (value_) return *value_;
    if (first_.valid()) {
      try {
        value_ = first_.get();
        return *value_;
      } catch (...) {  // fetched again below, by this caller
      }
    }
    value_ = fetch_();
    return *value_;
  }

 private:
  std::function<T()> fetch_;
  std::mutex mu_;
  std::optional<T> value_;
  std::future<T> first_;  // last: started once fetch_ is in place
};

}  // namespace k9
