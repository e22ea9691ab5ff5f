// Container credentials (ECS tasks, Lambda SnapStart, EKS Pod Identity): an HTTP GET to
// AWS_CONTAINER_CREDENTIALS_FULL_URI, or to http://169.254.170.2 + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
// with the Authorization header from AWS_CONTAINER_AUTHORIZATION_TOKEN or the file named by
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read on every fetch: it rotates).
//
// Contract: get() fetches afresh and returns credentials with their Expiration; throws
// CredentialsError when neither variable is set, the endpoint fails (after a few quick
// retries) or answers something that is not {AccessKeyId, SecretAccessKey, Token, Expiration}.
// Wrap it in CachingCredentials to reuse credentials until shortly before they expire.
#pragma once
#include <memory>

#include "aws/credentials.h"
#include "aws/http_client.h"

namespace k9::aws {

class ContainerCredentials : public CredentialsProvider {
 public:
  explicit ContainerCredentials(Getenv getenv = process_environment(), std::shared_ptr<HttpClient> http = nullptr);
  Credentials get() override;
  std::string name() const override { return "container"; }
  bool configured() const;  // one of the URI variables is set

 private:
  std::string var(const char* name) const;
  Getenv getenv_;
  std::shared_ptr<HttpClient> http_;
};

// "2026-11-26T05:14:23Z" (fraction allowed) -> time point; throws CredentialsError.
std::chrono::system_clock::time_point parse_iso8601_utc(const std::string& text);

}  // namespace k9::aws
