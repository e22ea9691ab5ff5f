// How Cognito's error answers become K9's errors (SPEC section 3 statuses), per sign-in flow.
//
//  Cognito __type                          login            refresh           new password
//  NotAuthorizedException                  401 incorrect    401 (its message) 410 if the session
//                                                                             expired, else 401 session
//  UserNotFoundException                   401 incorrect    401 invalid token 401 session
//  InvalidPasswordException                401 incorrect*   401 invalid token 400 (its message: the
//                                                                             pool's password policy)
//  PasswordResetRequiredException          401 "Password reset required for the user."
//  UserNotConfirmedException               401 "User is not confirmed."
//  CodeMismatchException                   401 session (new password), else as NotAuthorized
//  ExpiredCodeException                    410 session expired
//  InvalidParameterException               400 (its message)
//  TooManyRequestsException,
//  LimitExceededException,
//  TooManyFailedAttemptsException          429, Retry-After 5
//  anything else                           503, Retry-After 5
// "incorrect" is identity/local/local_authenticator.h's kIncorrectCredentials, the same for unknown users and
// wrong passwords. * cognito-local answers a wrong password with InvalidPasswordException.
#pragma once
#include "core/error.h"
#include "identity/cognito/cognito_api.h"

namespace k9::identity::cognito {

enum class Flow { login, refresh, new_password };

Error map_cognito_error(const CognitoError& e, Flow flow);

}  // namespace k9::identity::cognito
