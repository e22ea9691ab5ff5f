// Putting providers together: a chain that takes the first provider with credentials, and a
// cache that reuses credentials until shortly before they expire.
//
// Contract:
//  - CredentialsChain::get() asks each provider in order and returns the first success; when
//    all fail it throws CredentialsError listing every provider's reason.
//  - CachingCredentials::get() returns the cached credentials while they have more than
//    `refresh_before` left (or no expiration at all); otherwise it fetches new ones, one
//    thread at a time. If a refresh fails while the old credentials are still valid, the
//    old ones are returned; once expired, the error propagates.
//  - default_credentials(): environment, then shared files (AWS_PROFILE), then container,
//    wrapped in a cache: the SDKs' usual order.
#pragma once
#include <memory>
#include <mutex>
#include <vector>

#include "aws/credentials.h"

namespace k9::aws {

class CredentialsChain : public CredentialsProvider {
 public:
  explicit CredentialsChain(std::vector<std::shared_ptr<CredentialsProvider>> providers)
      : providers_(std::move(providers)) {}
  Credentials get() override;
  std::string name() const override { return "chain"; }

 private:
  std::vector<std::shared_ptr<CredentialsProvider>> providers_;
};

class CachingCredentials : public CredentialsProvider {
 public:
  using Now = std::function<std::chrono::system_clock::time_point()>;
  explicit CachingCredentials(std::shared_ptr<CredentialsProvider> inner,
                              std::chrono::seconds refresh_before = std::chrono::seconds(300),
                              Now now = [] { return std::chrono::system_clock::now(); })
      : inner_(std::move(inner)), refresh_before_(refresh_before), now_(std::move(now)) {}
  Credentials get() override;
  std::string name() const override { return inner_->name(); }

 private:
  std::shared_ptr<CredentialsProvider> inner_;
  std::chrono::seconds refresh_before_;
  Now now_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
};

std::shared_ptr<CredentialsProvider> default_credentials(Getenv getenv = process_environment());

}  // namespace k9::aws
