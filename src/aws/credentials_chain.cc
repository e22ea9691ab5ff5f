#include "aws/credentials_chain.h"

#include "aws/container_credentials.h"
#include "aws/profile_credentials.h"

namespace k9::aws {

Credentials CredentialsChain::get() {
  std::string reasons;
  for (auto& p : providers_) {
    try {
      return p->get();
    } catch (const CredentialsError& e) {
      reasons += (reasons.empty() ? "" : "; ") + p->name() + ": " + e.what();
    }
  }
  throw CredentialsError("no AWS credentials found (" + reasons + ")");
}

Credentials CachingCredentials::get() {
  std::lock_guard lock(mu_);
  auto now = now_();
  auto fresh = [&](const Credentials& c) { return !c.expiration || *c.expiration - refresh_before_ > now; };
  if (cached_ && fresh(*cached_)) return *cached_;
  try {
    cached_ = inner_->get();
  } catch (const CredentialsError&) {
    if (cached_ && cached_->expiration && *cached_->expiration > now) return *cached_;
    throw;
  }
  return *cached_;
}

std::shared_ptr<CredentialsProvider> default_credentials(Getenv getenv) {
  auto chain = std::make_shared<CredentialsChain>(std::vector<std::shared_ptr<CredentialsProvider>>{
      std::make_shared<EnvironmentCredentials>(getenv), std::make_shared<ProfileCredentials>(getenv),
      std::make_shared<ContainerCredentials>(getenv)});
  return std::make_shared<CachingCredentials>(chain);
}

}  // namespace k9::aws
