// The Lambda Runtime API (2018-06-01), as a custom runtime speaks it: wait for the next
// invocation, post its response or its error, or report an init error.
//
// Contract: next() blocks until an invocation arrives (no timeout: Lambda freezes the process
// meanwhile) and throws k9::Error(unavailable) when the Runtime API cannot be reached (the
// loop then exits: Lambda restarts the sandbox). respond()/fail() throw the same when their
// post is not accepted; fail_init() never throws.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "aws/http_client.h"

namespace k9::lambda {

struct Invocation {
  std::string request_id;      // Lambda-Runtime-Aws-Request-Id
  int64_t deadline_ms = 0;     // Lambda-Runtime-Deadline-Ms: unix ms by which to answer
  std::string trace_id;        // Lambda-Runtime-Trace-Id (X-Ray), passed on as _X_AMZN_TRACE_ID
  std::string function_arn;    // Lambda-Runtime-Invoked-Function-Arn
  std::string event;           // the payload, JSON
};

class RuntimeClient {
 public:
  // `api`: host:port of AWS_LAMBDA_RUNTIME_API.
  explicit RuntimeClient(std::string api);
  Invocation next();
  void respond(const std::string& request_id, const std::string& payload);
  // errorType e.g. "K9.BadEvent"; the message is for the function's logs and the caller.
  void fail(const std::string& request_id, const std::string& error_type, const std::string& message);
  void fail_init(const std::string& error_type, const std::string& message) noexcept;

 private:
  void post(const std::string& path, const std::string& body, const std::string& error_type = "");
  std::string base_;
  // One kept-alive connection for next() and the posts, as Lambda's own runtimes do: the answer
  // goes out on the connection the event came on, without a new connect.
  aws::HttpClient client_;
};

}  // namespace k9::lambda
