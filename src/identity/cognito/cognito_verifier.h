// CognitoVerifier: accepts exactly the tokens of one Cognito user pool and app client.
//
// Contract (TokenVerifier, identity/identity.h), beyond identity/local/jwt.h's strict parsing and RS256 check
// with the pool's keys (JwksCache):
//  - iss equals `issuer` (https://cognito-idp.{region}.amazonaws.com/{pool} or K9_COGNITO_ISSUER);
//  - exp has passed by less than `leeway` seconds (default 60: clock skew); nbf and iat no
//    more than 60 s in the future;
//  - token_use is "id" (aud must equal client_id) or "access" (client_id must equal client_id);
//  - sub and the username (cognito:username or username) are non-empty strings.
// Every refusal is k9::Error(unauthorized); keys that cannot be read are unavailable (503).
// Verified tokens are cached (TokenCache) until their exp. Thread-safe.
#pragma once
#include <string>

#include "core/clock.h"
#include "identity/cognito/jwks_cache.h"
#include "identity/identity.h"
#include "identity/token_cache.h"

namespace k9::identity::cognito {

struct VerifierOptions {
  std::string issuer;
  std::string client_id;
  int64_t leeway_seconds = 60;
  size_t cache_capacity = TokenCache::kDefaultCapacity;
};

class CognitoVerifier final : public TokenVerifier {
 public:
  CognitoVerifier(VerifierOptions options, JwksCache& keys, const Clock& clock = Clock::system());
  Principal verify(std::string_view bearer_token) override;

  void clear_cache() { cache_.clear(); }
  const VerifierOptions& options() const { return options_; }

 private:
  Principal check(std::string_view token);  // full verification, no cache

  VerifierOptions options_;
  JwksCache& keys_;
  const Clock& clock_;
  TokenCache cache_;
};

}  // namespace k9::identity::cognito
