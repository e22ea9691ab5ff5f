// One Lambda invocation through K9's handler (api/handler.h), the same route table `k9 serve`
// drives. No I/O of its own: the loop (lambda_loop.h) fetches invocations and posts outcomes.
//
// Contract of invoke() (never throws):
//  - An API Gateway proxy event (payload 1.0 or 2.0, lambda/proxy_event.h) is handled as the
//    HTTP server would: an OPTIONS preflight is answered from the CORS policy without a
//    handler; body limits of the route (Handler::admit) apply (413); the answer is the proxy
//    response of the event's version.
//  - The deadline is respected: when the handler has not answered `margin` before the
//    invocation's deadline, the answer is 503 with Retry-After (the handler finishes in the
//    background, its answer discarded); with less than `margin` left at the start, 503 at once.
//  - An answer larger than Lambda returns (`max_payload_bytes` of proxy JSON) is handed to
//    `spill`, which stores it and returns a URL; the answer is then 303 to that URL.
//  - K9's own asynchronous invocations, {"k9": {"task": NAME}}, run `task` (background analysis).
//    No HTTP request can produce one: API Gateway only ever sends proxy events.
//  - Anything else (not JSON, an unknown shape, a malformed proxy event) is an invocation error
//    (errorType K9.BadEvent), never a crash.
#pragma once
#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "api/handler.h"
#include "lambda/runtime_client.h"

namespace k9::lambda {

struct LambdaOptions {
  std::string base_path;          // K9_BASE_PATH: stripped from paths (the stage is stripped anyway)
  std::string cors_origin = "*";  // K9_CORS_ORIGIN; "" = no CORS headers
  std::chrono::milliseconds margin{500};
  size_t max_payload_bytes = 6 * 1000 * 1000;  // Lambda's synchronous response limit
  std::function<std::string(const api::Response& response, const std::string& request_id)> spill;
  std::function<boost::json::value(const std::string& task, std::chrono::system_clock::time_point deadline)> task;
  // Called after each proxy invocation (metrics): route name, status, duration.
  std::function<void(std::string_view route, int status, std::chrono::microseconds duration)> observe;
};

struct Outcome {
  bool ok = true;           // false: an invocation error
  std::string payload;      // ok: the response payload
  std::string error_type;   // !ok
  std::string error_message;
};

class LambdaFunction {
 public:
  LambdaFunction(api::Handler& handler, LambdaOptions options);
  Outcome invoke(const Invocation& invocation) noexcept;

 private:
  Outcome invoke_checked(const Invocation& invocation);
  api::Response handle_before(const api::Request& request, int64_t deadline_ms, bool may_block);

  api::Handler& handler_;
  LambdaOptions options_;
};

}  // namespace k9::lambda
