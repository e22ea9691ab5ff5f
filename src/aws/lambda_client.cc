#include "aws/lambda_client.h"

#include <cstdlib>
#include <thread>

#include "aws/retry_policy.h"
#include "aws/sigv4.h"
#include "core/error.h"

namespace k9::aws {

LambdaClient::LambdaClient(std::string region, std::string endpoint, std::shared_ptr<CredentialsProvider> credentials)
    : region_(std::move(region)), endpoint_(std::move(endpoint)), credentials_(std::move(credentials)),
      http_(HttpClientOptions{std::chrono::seconds(3), std::chrono::seconds(10), 4}) {
  while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
}

std::unique_ptr<LambdaClient> LambdaClient::from_environment(std::shared_ptr<CredentialsProvider> credentials) {
  auto env = [](const char* n) -> std::string {
    const char* v = std::getenv(n);
    return v ? v : "";
  };
  std::string region = env("AWS_REGION");
  if (region.empty()) region = env("AWS_DEFAULT_REGION");
  if (region.empty()) region = "us-east-1";
  std::string endpoint = env("AWS_ENDPOINT_URL_LAMBDA");
  if (endpoint.empty()) endpoint = "https://lambda." + region + ".amazonaws.com";
  return std::make_unique<LambdaClient>(region, endpoint, std::move(credentials));
}

void LambdaClient::invoke_event(const std::string& function_name, const std::string& payload) {
  Backoff backoff(RetryPolicy{4, std::chrono::milliseconds(50), std::chrono::milliseconds(1000), std::chrono::seconds(5)});
  const std::string what = "Lambda Invoke " + function_name;
  for (;;) {
    HttpRequest req;
    req.method = "POST";
    req.url = endpoint_ + "/2015-03-31/functions/" + aws_uri_encode(function_name, false) + "/invocations";
    req.body = payload;
    req.set_header("Content-Type", "application/json");
    req.set_header("X-Amz-Invocation-Type", "Event");
    SigningParams params;
    params.region = region_;
    params.service = "lambda";
    params.time = std::chrono::system_clock::now();
    try {
      sign_headers(req, credentials_->get(), params);
    } catch (const CredentialsError& e) {
      throw Error(ErrorCode::unavailable, "background work cannot start now", what + ": no credentials: " + e.what(), 2);
    }
    std::string failure;
    auto result = http_.send(req);
    if (!result.ok()) {
      failure = result.error().message;
    } else {
      const auto& r = result.response();
      if (r.status == 202 || r.status == 200) return;
      failure = "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 300);
      if (r.status < 500 && r.status != 429)
        throw Error(ErrorCode::unavailable, "background work cannot start now", what + ": " + failure, 2);
    }
    auto delay = backoff.next_delay();
    if (!delay) throw Error(ErrorCode::unavailable, "background work cannot start now", what + ": " + failure, 2);
    std::this_thread::sleep_for(*delay);
  }
}

}  // namespace k9::aws
