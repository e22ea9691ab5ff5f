// The Cognito module's HTTP calls (JWKS downloads and Cognito's JSON API), over the AWS
// module's HttpClient (aws/http_client.h): its kept-alive connections, TLS verification and
// timeouts.
//
// Contract:
//  - http_call() performs one request on `client` and answers the status and body of any HTTP
//    answer, 2xx or not. Transport failures (DNS, connect, TLS, timeout) and bodies over
//    max_body throw k9::Error(unavailable, message, retry_after 2).
//  - No redirects are followed. Thread-safe (so is the client).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "aws/http_client.h"

namespace k9::identity::cognito {

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  size_t max_body = 1024 * 1024;
};

struct HttpReply {
  long status = 0;
  std::string body;
};

HttpReply http_call(aws::HttpClient& client, const HttpCall& call);

}  // namespace k9::identity::cognito
