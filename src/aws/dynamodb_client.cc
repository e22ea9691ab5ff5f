#include "aws/dynamodb_client.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "aws/crc32.h"
#include "aws/sigv4.h"

namespace k9::aws {

namespace {

bool throttling(const std::string& type) {
  return type == "ProvisionedThroughputExceededException" || type == "ThrottlingException" ||
         type == "RequestLimitExceeded" || type == "TransactionInProgressException";
}

// "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" -> the part after '#'.
std::string short_type(std::string t) {
  if (auto hash = t.rfind('#'); hash != std::string::npos) t = t.substr(hash + 1);
  if (auto colon = t.find(':'); colon != std::string::npos) t = t.substr(0, colon);
  return t;
}

struct Failure {
  bool retryable;
  std::string type, message;
  int status = 0;
  boost::json::object body = {};
  bool may_have_applied = false;  // this attempt may have been applied although it failed
};

}  // namespace

DynamoDbError::DynamoDbError(Kind kind, std::string type, std::string message, int status, boost::json::object body,
                             std::string operation, std::string request, bool earlier_attempt_may_have_applied)
    : std::runtime_error("DynamoDB " + operation + ": " + type + ": " + message),
      kind_(kind),
      type_(std::move(type)),
      message_(std::move(message)),
      status_(status),
      body_(std::move(body)),
      operation_(std::move(operation)),
      request_(std::move(request)),
      earlier_attempt_may_have_applied_(earlier_attempt_may_have_applied) {}

DynamoDbOptions DynamoDbOptions::from_env(const Getenv& getenv) {
  auto var = [&](const char* n) -> std::string {
    const char* v = getenv(n);
    return v && *v ? v : "";
  };
  DynamoDbOptions o;
  if (auto r = var("AWS_REGION"); !r.empty()) o.region = r;
  else if (auto d = var("AWS_DEFAULT_REGION"); !d.empty()) o.region = d;
  o.endpoint = var("AWS_ENDPOINT_URL_DYNAMODB");
  if (o.endpoint.empty()) o.endpoint = var("AWS_ENDPOINT_URL");
  return o;
}

std::string DynamoDbOptions::endpoint_url() const {
  std::string url = endpoint.empty() ? "https://dynamodb." + region + ".amazonaws.com" : endpoint;
  if (url.find('/', url.find("://") + 3) == std::string::npos) url += "/";
  return url;
}

DynamoDbClient::DynamoDbClient(DynamoDbOptions options, std::shared_ptr<CredentialsProvider> credentials)
    : options_(std::move(options)), url_(options_.endpoint_url()), credentials_(std::move(credentials)),
      http_(options_.http) {}

boost::json::object DynamoDbClient::call(const std::string& operation, const boost::json::object& request) {
  std::string body = boost::json::serialize(request);
  Backoff backoff(options_.retry);
  bool earlier_applied = false;  // an earlier attempt may have been applied, its answer lost
  for (;;) {
    Failure f{true, "", ""};
    try {
      Credentials creds = credentials_->get();
      HttpRequest req{"POST", url_, {{"Content-Type", "application/x-amz-json-1.0"},
                                     {"X-Amz-Target", "DynamoDB_20120810." + operation}}, body};
      SigningParams params;
      params.region = options_.region;
      params.service = "dynamodb";
      sign_headers(req, creds, params);
      HttpResult result = http_.send(req);
      if (!result.ok()) {
        f = {true, "NetworkError", result.error().message};
        f.may_have_applied = result.error().sends > 0;  // cut or timed out after sending
      } else {
        const HttpResponse& resp = result.response();
        if (resp.sends > 1) earlier_applied = true;  // the HTTP client resent it: the first copy may have landed
        const std::string* crc = resp.header("x-amz-crc32");
        if (crc && std::to_string(crc32(resp.body)) != *crc) {
          f = {true, "Crc32Mismatch", "response body does not match its x-amz-crc32 header", resp.status, {}, true};
        } else if (resp.status == 200) {
          boost::system::error_code ec;
          auto v = boost::json::parse(resp.body, ec);
          if (!ec && v.is_object()) return std::move(v.as_object());
          f = {true, "MalformedResponse", "response is not a JSON object: " + resp.body.substr(0, 200), resp.status, {},
               true};
        } else {
          boost::system::error_code ec;
          auto v = boost::json::parse(resp.body, ec);
          boost::json::object err = !ec && v.is_object() ? v.as_object() : boost::json::object{};
          std::string type = err.contains("__type") && err.at("__type").is_string()
                                 ? short_type(err.at("__type").as_string().c_str())
                                 : "HTTP" + std::to_string(resp.status);
          std::string message;
          for (const char* k : {"message", "Message"})
            if (auto* m = err.if_contains(k); m && m->is_string()) message = m->as_string().c_str();
          if (message.empty() && ec) message = resp.body.substr(0, 200);
          // A 5xx does not say whether the request was applied; a throttled one was not.
          f = {resp.status >= 500 || throttling(type), type, message, resp.status, std::move(err), resp.status >= 500};
        }
      }
    } catch (const CredentialsError& e) {
      throw DynamoDbError(DynamoDbError::Kind::unavailable, "CredentialsError", e.what(), 0, {}, operation, body);
    }
    if (!f.retryable)
      throw DynamoDbError(DynamoDbError::Kind::service, f.type, f.message, f.status, std::move(f.body), operation, body,
                          earlier_applied);
    earlier_applied = earlier_applied || f.may_have_applied;
    auto delay = backoff.next_delay();
    if (!delay)
      throw DynamoDbError(DynamoDbError::Kind::unavailable, f.type,
                          f.message + " (after " + std::to_string(backoff.attempts()) + " attempts)", f.status,
                          std::move(f.body), operation, body, earlier_applied);
    ++retries_;
    spdlog::warn("dynamodb {}: {} {}; retry {} in {} ms", operation, f.type, f.message, backoff.attempts(),
                 delay->count());
    std::this_thread::sleep_for(*delay);
  }
}

}  // namespace k9::aws
