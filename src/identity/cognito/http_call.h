// A small blocking HTTP client over libcurl for the Cognito module: JWKS downloads and
// Cognito's JSON API. (src/aws/http_client.h, being built for DynamoDB, will replace it; the
// two converge later.)
//
// Contract:
//  - http_call() performs one request and answers the status and body of any HTTP answer,
//    2xx or not. Transport failures (DNS, connect, TLS, timeout) and bodies over max_body
//    throw k9::Error(unavailable, message, retry_after 2).
//  - No redirects are followed. TLS peers are verified (libcurl's defaults).
//  - Each thread keeps one libcurl handle, so consecutive calls to one host reuse the
//    connection (keep-alive). Thread-safe.
#pragma once
#include <chrono>
#include <string>
#include <vector>

namespace k9::identity::cognito {

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::chrono::milliseconds timeout{5000};
  size_t max_body = 1024 * 1024;
};

struct HttpReply {
  long status = 0;
  std::string body;
};

HttpReply http_call(const HttpCall& call);

}  // namespace k9::identity::cognito
