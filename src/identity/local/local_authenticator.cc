#include "identity/local/local_authenticator.h"

#include "core/encoding.h"
#include "core/error.h"
#include "core/random.h"

namespace k9::identity::local {

LocalAuthenticator::LocalAuthenticator(CredentialRepository& credentials, const LocalIssuer& issuer,
                                       RefreshTokenRepository& refresh_tokens, LoginThrottle& throttle,
                                       LocalAuthOptions options, const Clock& clock)
    : credentials_(credentials),
      issuer_(issuer),
      refresh_tokens_(refresh_tokens),
      throttle_(throttle),
      options_(options),
      clock_(clock) {}

LoginResult LocalAuthenticator::login(const std::string& username, const std::string& password,
                                      const std::string& client_address) {
  if (username.empty()) throw bad_request("username is required");
  if (password.empty()) throw bad_request("password is required");
  throttle_.check(username, client_address);
  auto credential = credentials_.verify_password(username, password);
  if (!credential) {
    throttle_.record_failure(username, client_address);
    throw unauthorized(kIncorrectCredentials);
  }
  throttle_.record_success(username);
  LoginResult result;
  if (credential->temporary) {
    result.challenge = kNewPasswordRequired;
    result.session = base64url_encode(random_bytes(32));
    credentials_.open_challenge(username, result.session,
                                unix_seconds(clock_.now()) + options_.challenge_lifetime.count());
    return result;
  }
  result.tokens = issuer_.issue(*credential);
  result.tokens->refresh_token = refresh_tokens_.issue(credential->username, credential->sub);
  return result;
}

TokenSet LocalAuthenticator::refresh(const std::string& username, const std::string& refresh_token,
                                     const std::string& /*client_address*/) {
  if (username.empty()) throw bad_request("username is required");
  if (refresh_token.empty()) throw bad_request("refreshToken is required");
  RefreshGrant grant = refresh_tokens_.redeem(username, refresh_token, options_.rotate_refresh_tokens);
  auto credential = credentials_.find(grant.username);
  if (!credential || credential->sub != grant.sub) throw unauthorized(kInvalidRefreshToken);
  TokenSet tokens = issuer_.issue(*credential);
  if (options_.rotate_refresh_tokens) tokens.refresh_token = refresh_tokens_.issue(credential->username, credential->sub);
  return tokens;
}

void LocalAuthenticator::respond_new_password(const std::string& username, const std::string& new_password,
                                              const std::string& session, const std::string& client_address) {
  if (username.empty()) throw bad_request("username is required");
  if (new_password.empty()) throw bad_request("newPassword is required");
  if (session.empty()) throw bad_request("session is required");
  throttle_.check(username, client_address);
  try {
    credentials_.answer_challenge(username, session, new_password);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::unauthorized) throttle_.record_failure(username, client_address);
    throw;
  }
}

}  // namespace k9::identity::local
