// Lambda's Invoke API, asynchronous only (InvocationType Event): how `k9 lambda` starts a
// report's analysis without a server. SigV4-signed (service "lambda"); the endpoint is
// AWS_ENDPOINT_URL_LAMBDA when set, else https://lambda.<region>.amazonaws.com.
//
// Contract: invoke_event() returns once Lambda accepted the event (HTTP 202) and throws
// k9::Error(unavailable) otherwise (after the retry policy's attempts for 5xx, 429 and
// transport errors); the payload is delivered at least once (Lambda retries failed async
// invocations twice), so what it starts must be idempotent.
#pragma once
#include <memory>
#include <string>

#include "aws/credentials.h"
#include "aws/http_client.h"

namespace k9::aws {

class LambdaClient {
 public:
  LambdaClient(std::string region, std::string endpoint, std::shared_ptr<CredentialsProvider> credentials);
  // From AWS_REGION (default us-east-1) and AWS_ENDPOINT_URL_LAMBDA.
  static std::unique_ptr<LambdaClient> from_environment(std::shared_ptr<CredentialsProvider> credentials);

  void invoke_event(const std::string& function_name, const std::string& payload);

 private:
  std::string region_, endpoint_;
  std::shared_ptr<CredentialsProvider> credentials_;
  HttpClient http_;
};

}  // namespace k9::aws
