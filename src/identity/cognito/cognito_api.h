// CognitoApi: calls of Cognito user pools' JSON API (AWS JSON 1.1, POST / with
// X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>). InitiateAuth and
// RespondToAuthChallenge need no AWS signature, only the app client id.
//
// Contract:
//  - call() answers the response object of a 2xx answer.
//  - An AWS error answer (4xx with {"__type", "message"}) throws CognitoError with the type
//    stripped of any "prefix#" and the message as given.
//  - 5xx answers, non-JSON answers and transport failures throw k9::Error(unavailable,
//    ..., retry_after 2). `timeout` bounds each call. Thread-safe.
#pragma once
#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "aws/http_client.h"

namespace k9::identity::cognito {

class CognitoError : public std::runtime_error {
 public:
  CognitoError(std::string type, std::string message, long status)
      : std::runtime_error(std::move(message)), type_(std::move(type)), status_(status) {}
  const std::string& type() const { return type_; }
  long status() const { return status_; }

 private:
  std::string type_;
  long status_;
};

class CognitoApi {
 public:
  explicit CognitoApi(std::string endpoint_url, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  boost::json::object call(std::string_view operation, const boost::json::object& request) const;
  const std::string& endpoint() const { return endpoint_; }

 private:
  std::string endpoint_;
  std::shared_ptr<aws::HttpClient> http_;  // its connections kept alive between calls
};

// Base64(HMAC-SHA256(key = client secret, message = username + client id)): the SECRET_HASH
// Cognito wants with every auth call when the app client has a secret.
std::string secret_hash(std::string_view username, std::string_view client_id, std::string_view client_secret);

}  // namespace k9::identity::cognito
