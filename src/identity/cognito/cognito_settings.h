// CognitoSettings: AWS mode's identity configuration from the environment (SPEC section 5).
//
//  COGNITO_USER_POOL_ID (required), COGNITO_CLIENT_ID (required), COGNITO_CLIENT_SECRET
//  (optional), AWS_REGION (else AWS_DEFAULT_REGION, else the pool id's prefix "us-east-1_..."),
//  K9_COGNITO_ISSUER (default https://cognito-idp.{region}.amazonaws.com/{pool}; its
//  /.well-known/jwks.json holds the keys), AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER (default
//  https://cognito-idp.{region}.amazonaws.com/) for InitiateAuth and RespondToAuthChallenge.
//
// from_env() throws k9::Error(bad_request) naming the variable that is missing or malformed.
#pragma once
#include <functional>
#include <string>

namespace k9::identity::cognito {

struct CognitoSettings {
  std::string region, user_pool_id, client_id, client_secret, issuer, endpoint;

  static CognitoSettings from_env(const std::function<const char*(const char*)>& getenv);
  std::string jwks_url() const { return issuer + "/.well-known/jwks.json"; }
};

}  // namespace k9::identity::cognito
