#include "lambda/runtime_client.h"

#include <boost/json.hpp>

#include "core/error.h"

namespace k9::lambda {

namespace {
constexpr const char* kVersion = "/2018-06-01";

std::string error_body(const std::string& type, const std::string& message) {
  return boost::json::serialize(boost::json::object{{"errorMessage", message}, {"errorType", type}, {"stackTrace", boost::json::array()}});
}
}  // namespace

RuntimeClient::RuntimeClient(std::string api)
    : base_("http://" + std::move(api) + kVersion),
      client_(aws::HttpClientOptions{std::chrono::seconds(3), std::chrono::seconds(30), 2}) {}

Invocation RuntimeClient::next() {
  aws::HttpRequest req;
  req.url = base_ + "/runtime/invocation/next";
  req.total_timeout = std::chrono::hours(24);  // Lambda holds it until an invocation comes, and freezes us meanwhile
  auto result = client_.send(req);
  if (!result.ok()) throw Error(ErrorCode::unavailable, "Lambda Runtime API: " + result.error().message);
  auto& r = result.response();
  if (r.status != 200) throw Error(ErrorCode::unavailable, "Lambda Runtime API next: HTTP " + std::to_string(r.status));
  Invocation inv;
  if (auto* h = r.header("lambda-runtime-aws-request-id")) inv.request_id = *h;
  if (auto* h = r.header("lambda-runtime-deadline-ms")) {
    try {
      inv.deadline_ms = std::stoll(*h);
    } catch (const std::exception&) {
      inv.deadline_ms = 0;
    }
  }
  if (auto* h = r.header("lambda-runtime-trace-id")) inv.trace_id = *h;
  if (auto* h = r.header("lambda-runtime-invoked-function-arn")) inv.function_arn = *h;
  if (inv.request_id.empty()) throw Error(ErrorCode::unavailable, "Lambda Runtime API next: no request id");
  inv.event = std::move(r.body);
  return inv;
}

void RuntimeClient::post(const std::string& path, const std::string& body, const std::string& error_type) {
  aws::HttpRequest req;
  req.method = "POST";
  req.url = base_ + path;
  req.body = body;
  req.set_header("Content-Type", "application/json");
  if (!error_type.empty()) req.set_header("Lambda-Runtime-Function-Error-Type", error_type);
  auto result = client_.send(req);
  if (!result.ok()) throw Error(ErrorCode::unavailable, "Lambda Runtime API: " + result.error().message);
  int status = result.response().status;
  if (status != 202) throw Error(ErrorCode::unavailable, "Lambda Runtime API " + path + ": HTTP " + std::to_string(status) +
                                                             " " + result.response().body.substr(0, 300));
}

void RuntimeClient::respond(const std::string& request_id, const std::string& payload) {
  post("/runtime/invocation/" + request_id + "/response", payload);
}

void RuntimeClient::fail(const std::string& request_id, const std::string& error_type, const std::string& message) {
  post("/runtime/invocation/" + request_id + "/error", error_body(error_type, message), error_type);
}

void RuntimeClient::fail_init(const std::string& error_type, const std::string& message) noexcept {
  try {
    post("/runtime/init/error", error_body(error_type, message), error_type);
  } catch (...) {
  }
}

}  // namespace k9::lambda
