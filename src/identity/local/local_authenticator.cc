#include "identity/local/local_authenticator.h"

#include "core/encoding.h"
#include "core/error.h"
#include "core/random.h"

namespace k9::identity::local {

LocalAuthenticator::LocalAuthenticator(CredentialRepository& credentials, const LocalIssuer& issuer)
    : credentials_(credentials), issuer_(issuer) {}

LoginResult LocalAuthenticator::login(const std::string& username, const std::string& password,
                                      const std::string& /*client_address*/) {
  if (username.empty()) throw bad_request("username is required");
  if (password.empty()) throw bad_request("password is required");
  auto credential = credentials_.verify_password(username, password);
  if (!credential) throw unauthorized(kIncorrectCredentials);
  LoginResult result;
  if (credential->temporary) {
    result.challenge = kNewPasswordRequired;
    result.session = base64url_encode(random_bytes(32));  // TODO: store with expiry for /auth/reset
    return result;
  }
  result.tokens = issuer_.issue(*credential);
  return result;
}

}  // namespace k9::identity::local
