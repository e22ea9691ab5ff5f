#include "identity/cognito/cognito_errors.h"

#include "identity/local/credential_repository.h"
#include "identity/local/local_authenticator.h"
#include "identity/local/refresh_token_repository.h"

namespace k9::identity::cognito {

Error map_cognito_error(const CognitoError& e, Flow flow) {
  using local::kExpiredSession;
  using local::kIncorrectCredentials;
  using local::kInvalidRefreshToken;
  using local::kInvalidSession;
  const std::string& t = e.type();
  auto refused = [&]() -> Error {
    switch (flow) {
      case Flow::login: return unauthorized(kIncorrectCredentials);
      case Flow::refresh: return unauthorized(kInvalidRefreshToken);
      case Flow::new_password: return unauthorized(kInvalidSession);
    }
    return unauthorized(kIncorrectCredentials);
  };
  if (t == "NotAuthorizedException") {
    if (flow == Flow::refresh) return unauthorized(e.what());
    if (flow == Flow::new_password && std::string_view(e.what()).find("expired") != std::string_view::npos)
      return Error(ErrorCode::gone, kExpiredSession);
    return refused();
  }
  if (t == "UserNotFoundException") return refused();
  if (t == "InvalidPasswordException") return flow == Flow::new_password ? bad_request(e.what()) : refused();
  if (t == "PasswordResetRequiredException") return unauthorized("Password reset required for the user.");
  if (t == "UserNotConfirmedException") return unauthorized("User is not confirmed.");
  if (t == "CodeMismatchException") return refused();
  if (t == "ExpiredCodeException") return Error(ErrorCode::gone, kExpiredSession);
  if (t == "InvalidParameterException") return bad_request(e.what());
  if (t == "TooManyRequestsException" || t == "LimitExceededException" || t == "TooManyFailedAttemptsException")
    return Error(ErrorCode::too_many_requests, "Too many requests; try again later.", 5);
  return Error(ErrorCode::unavailable, "The identity provider cannot answer now (" + t + ")", 5);
}

}  // namespace k9::identity::cognito
