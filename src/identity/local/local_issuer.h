// LocalIssuer: issues K9's own RS256 tokens (Cognito-shaped claims) and verifies them.
//
// Contract:
//  - issue(): id token {sub, iss, aud: client_id, token_use:"id", cognito:username, name,
//    email, iat, exp} and access token {sub, iss, client_id, token_use:"access", username,
//    scope:"openid", iat, exp, jti}, both signed with the KeyStore's current key and valid
//    for `token_lifetime_seconds`. refresh_token is empty here (LocalAuthenticator adds one).
//  - verify(): the TokenVerifier contract (identity/identity.h). Beyond verify_jwt's checks it
//    requires token_use in `accepted_token_uses`, aud (id) or client_id (access) equal to
//    `client_id`, and non-empty sub and username. Verified tokens are cached (TokenCache)
//    until their exp; a cached token keeps verifying even if its key is rotated out, until
//    clear_cache() is called. An unknown kid, and every issue(), first lets the KeyStore
//    sync_with_folder() (rate-limited), so a `k9 keys rotate` run by another process is seen.
//  - require_live_accounts() (wiring, before the first verify()): from then on verify() also
//    refuses the token of a user that no longer exists (AccountGate: `k9 users delete`, seen
//    within the gate's ttl), after every other check, cached or not.
//  - Thread-safe.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "identity/identity.h"
#include "identity/local/account_gate.h"
#include "identity/local/credential.h"
#include "identity/local/key_store.h"
#include "identity/token_cache.h"

namespace k9::identity::local {

struct IssuerOptions {
  std::string issuer = "k9-local";
  std::string client_id = "k9";
  int token_lifetime_seconds = 3600;
  std::vector<std::string> accepted_token_uses = {"id", "access"};
  size_t cache_capacity = TokenCache::kDefaultCapacity;
};

class LocalIssuer final : public TokenVerifier {
 public:
  explicit LocalIssuer(KeyStore& keys, IssuerOptions options = {}, const Clock& clock = Clock::system());

  TokenSet issue(const Credential& credential) const;
  Principal verify(std::string_view bearer_token) override;
  // Keys are in memory; only the account gate reads, through the credentials' store.
  bool may_block() const override { return gate_ && gate_->may_block(); }

  // Owns the gate; `clock` null: the issuer's clock.
  AccountGate& require_live_accounts(CredentialRepository& credentials, AccountGateOptions gate_options = {},
                                     const Clock* clock = nullptr);
  AccountGate* account_gate() { return gate_.get(); }

  void clear_cache() { cache_.clear(); }
  const IssuerOptions& options() const { return options_; }

 private:
  Principal check(std::string_view token) const;  // full verification, no cache

  KeyStore& keys_;
  IssuerOptions options_;
  const Clock& clock_;
  TokenCache cache_;
  std::unique_ptr<AccountGate> gate_;
};

}  // namespace k9::identity::local
