// LocalAuthenticator: sign-in against the CredentialRepository, tokens from LocalIssuer,
// refresh tokens from the RefreshTokenRepository, failed attempts counted by a LoginThrottle.
//
// Contract (Authenticator, identity/identity.h):
//  - login(): empty username or password: bad_request naming the field. Then the throttle
//    (429 with Retry-After, before any password check). Unknown user, invalid username or
//    wrong password: unauthorized kIncorrectCredentials, the same message and similar timing
//    either way, and counted as a failure for the username and the client address. A
//    temporary user with the right password: challenge "NEW_PASSWORD_REQUIRED" and a session
//    (base64url of 32 random bytes) whose hash is stored with the user, valid for
//    `challenge_lifetime` (default 5 minutes); a later login replaces it. Otherwise the
//    TokenSet of LocalIssuer::issue() with a new refresh token.
//  - refresh(): RefreshTokenRepository::redeem() (consuming the token when
//    `rotate_refresh_tokens`), then fresh access and id tokens for the user as stored now
//    (unauthorized kInvalidRefreshToken when the user is gone). When rotating, the answer
//    carries the next refresh token.
//  - respond_new_password(): CredentialRepository::answer_challenge() (401 / 410 / 400 as
//    documented there); wrong sessions count as failures in the throttle like wrong passwords.
//  - Thread-safe.
#pragma once
#include <chrono>

#include "core/clock.h"
#include "identity/identity.h"
#include "identity/local/credential_repository.h"
#include "identity/local/local_issuer.h"
#include "identity/local/login_throttle.h"
#include "identity/local/refresh_token_repository.h"

namespace k9::identity::local {

inline constexpr const char* kIncorrectCredentials = "Incorrect username or password.";
inline constexpr const char* kNewPasswordRequired = "NEW_PASSWORD_REQUIRED";

struct LocalAuthOptions {
  std::chrono::seconds challenge_lifetime{5 * 60};
  // Off (the default, Cognito's behaviour): a refresh token serves, however often it is
  // presented, until it expires or is revoked, and a refresh answers no new one (the published
  // web app keeps its first refresh token for the whole session). On (K9_REFRESH_ROTATION=on):
  // every refresh consumes the token and answers a new one; a used token is refused and
  // revokes the user's tokens (reuse detection).
  bool rotate_refresh_tokens = false;
};

class LocalAuthenticator final : public Authenticator {
 public:
  LocalAuthenticator(CredentialRepository& credentials, const LocalIssuer& issuer,
                     RefreshTokenRepository& refresh_tokens, LoginThrottle& throttle, LocalAuthOptions options = {},
                     const Clock& clock = Clock::system());
  LoginResult login(const std::string& username, const std::string& password,
                    const std::string& client_address) override;
  TokenSet refresh(const std::string& username, const std::string& refresh_token,
                   const std::string& client_address) override;
  void respond_new_password(const std::string& username, const std::string& new_password, const std::string& session,
                            const std::string& client_address) override;

  const LocalAuthOptions& options() const { return options_; }

 private:
  CredentialRepository& credentials_;
  const LocalIssuer& issuer_;
  RefreshTokenRepository& refresh_tokens_;
  LoginThrottle& throttle_;
  LocalAuthOptions options_;
  const Clock& clock_;
};

}  // namespace k9::identity::local
