// A DynamoDB client speaking the JSON protocol (application/x-amz-json-1.0, X-Amz-Target
// "DynamoDB_20120810.<Operation>"), signed with SigV4, over the shared HttpClient.
//
// Contract of call():
//  - Sends the request object as the operation's body and returns the response object.
//  - Every response with an x-amz-crc32 header is checked against the body; a mismatch is
//    treated like a cut connection.
//  - Throttling (ProvisionedThroughputExceeded, Throttling, RequestLimitExceeded,
//    TransactionInProgress), 5xx, CRC mismatches and network errors are retried with
//    exponential backoff and full jitter within the RetryPolicy; when the budget is spent,
//    DynamoDbError with kind unavailable is thrown. Missing credentials are unavailable too.
//  - Any other error response is thrown at once as DynamoDbError with kind service, the
//    short error type ("ConditionalCheckFailedException"), the message, the whole error
//    body (e.g. CancellationReasons) and the request that was sent.
//  - Every attempt of one call sends the same body (a TransactWriteItems keeps its
//    ClientRequestToken). An error says whether an earlier attempt may have been applied
//    although its answer was lost (a cut or timed-out exchange, a 5xx, a corrupt answer, or
//    the HTTP client's own resend after a reused connection died): a failed condition may
//    then be the call's own earlier write.
//  - Safe to use from many threads.
#pragma once
#include <boost/json.hpp>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "aws/retry_policy.h"

namespace k9::aws {

struct DynamoDbOptions {
  std::string region = "us-east-1";
  std::string endpoint;  // empty: https://dynamodb.{region}.amazonaws.com
  RetryPolicy retry;
  HttpClientOptions http;

  // AWS_REGION (else AWS_DEFAULT_REGION, else us-east-1) and AWS_ENDPOINT_URL_DYNAMODB
  // (else AWS_ENDPOINT_URL).
  static DynamoDbOptions from_env(const Getenv& getenv = process_environment());
  std::string endpoint_url() const;
};

class DynamoDbError : public std::runtime_error {
 public:
  enum class Kind { service, unavailable };
  DynamoDbError(Kind kind, std::string type, std::string message, int status, boost::json::object body,
                std::string operation, std::string request, bool earlier_attempt_may_have_applied = false);
  Kind kind() const { return kind_; }
  const std::string& type() const { return type_; }          // "ValidationException", ...
  const std::string& message() const { return message_; }    // DynamoDB's own message
  int status() const { return status_; }                     // 0 when no response
  const boost::json::object& body() const { return body_; }
  const std::string& operation() const { return operation_; }
  const std::string& request() const { return request_; }    // the JSON that was sent
  // An earlier attempt of this call reached DynamoDB (or may have) and its answer was lost.
  bool earlier_attempt_may_have_applied() const { return earlier_attempt_may_have_applied_; }

 private:
  Kind kind_;
  std::string type_, message_;
  int status_;
  boost::json::object body_;
  std::string operation_, request_;
  bool earlier_attempt_may_have_applied_;
};

class DynamoDbClient {
 public:
  DynamoDbClient(DynamoDbOptions options, std::shared_ptr<CredentialsProvider> credentials);

  boost::json::object call(const std::string& operation, const boost::json::object& request);

  const DynamoDbOptions& options() const { return options_; }
  // Attempts beyond the first, over the client's life (for tests and metrics).
  uint64_t retries() const { return retries_.load(); }

 private:
  DynamoDbOptions options_;
  std::string url_;
  std::shared_ptr<CredentialsProvider> credentials_;
  HttpClient http_;
  std::atomic<uint64_t> retries_{0};
};

}  // namespace k9::aws
