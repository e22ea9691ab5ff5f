// CognitoAuthenticator: K9's /auth/* flows on a Cognito user pool app client.
//
// Contract (Authenticator, identity/identity.h):
//  - login(): InitiateAuth USER_PASSWORD_AUTH; tokens from AuthenticationResult, or the
//    challenge name and Session Cognito answers (NEW_PASSWORD_REQUIRED for a user created
//    with a temporary password).
//  - refresh(): InitiateAuth REFRESH_TOKEN_AUTH; Cognito does not rotate refresh tokens by
//    default, so refresh_token is set only when Cognito answers a new one.
//  - respond_new_password(): RespondToAuthChallenge NEW_PASSWORD_REQUIRED with the session.
//  - Every call carries SECRET_HASH (cognito_api.h) when client_secret is set, computed with
//    the username the caller gave.
//  - Missing fields: bad_request naming the field, before any call. Cognito's errors map as
//    cognito_errors.h says; transport failures are unavailable (503).
//  - Failed attempts are throttled by Cognito itself (TooManyRequestsException -> 429).
#pragma once
#include <string>

#include "identity/cognito/cognito_api.h"
#include "identity/identity.h"

namespace k9::identity::cognito {

struct ClientOptions {
  std::string client_id;
  std::string client_secret;  // empty: the app client has no secret
};

class CognitoAuthenticator final : public Authenticator {
 public:
  CognitoAuthenticator(const CognitoApi& api, ClientOptions options);
  LoginResult login(const std::string& username, const std::string& password,
                    const std::string& client_address) override;
  TokenSet refresh(const std::string& username, const std::string& refresh_token,
                   const std::string& client_address) override;
  void respond_new_password(const std::string& username, const std::string& new_password, const std::string& session,
                            const std::string& client_address) override;

 private:
  void add_secret_hash(boost::json::object& parameters, const std::string& username) const;

  const CognitoApi& api_;
  ClientOptions options_;
};

}  // namespace k9::identity::cognito
