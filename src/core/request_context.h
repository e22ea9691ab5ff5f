// The request a thread is working on, for log lines written below the API (store and blob
// retries): App::handle opens a RequestScope for the duration of each request, and the log
// format (cli: setup_logging) appends `request_id=...` to every line written inside one. A
// thread outside any request (workers, the checkpointer) has none.
#pragma once
#include <string>
#include <string_view>

namespace k9 {

class RequestScope {
 public:
  explicit RequestScope(std::string_view request_id);
  ~RequestScope();  // the thread's previous request id again (scopes nest)
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

  // The id of the innermost scope on this thread; empty outside any.
  static std::string_view current();

 private:
  std::string previous_;
};

}  // namespace k9
