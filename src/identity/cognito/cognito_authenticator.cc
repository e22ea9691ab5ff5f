#include "identity/cognito/cognito_authenticator.h"

#include <boost/json.hpp>

#include "core/error.h"
#include "core/json.h"
#include "identity/cognito/cognito_errors.h"

namespace k9::identity::cognito {

namespace json = boost::json;

namespace {

TokenSet tokens_of(const json::object& result) {
  TokenSet t;
  t.access_token = string_member(result, "AccessToken");
  t.id_token = string_member(result, "IdToken");
  t.refresh_token = string_member(result, "RefreshToken");
  const json::value* expires = result.if_contains("ExpiresIn");
  t.expires_in = expires && expires->is_number() ? expires->to_number<int>() : 0;
  if (t.access_token.empty() || t.id_token.empty())
    throw Error(ErrorCode::unavailable, "Cognito answered no tokens", 2);
  return t;
}

// Runs one Cognito call, mapping its errors for `flow`.
json::object call(const CognitoApi& api, std::string_view operation, const json::object& request, Flow flow) {
  try {
    return api.call(operation, request);
  } catch (const CognitoError& e) {
    throw map_cognito_error(e, flow);
  }
}

}  // namespace

CognitoAuthenticator::CognitoAuthenticator(const CognitoApi& api, ClientOptions options)
    : api_(api), options_(std::move(options)) {}

void CognitoAuthenticator::add_secret_hash(json::object& parameters, const std::string& username) const {
  if (!options_.client_secret.empty())
    parameters["SECRET_HASH"] = secret_hash(username, options_.client_id, options_.client_secret);
}

LoginResult CognitoAuthenticator::login(const std::string& username, const std::string& password,
                                        const std::string& /*client_address*/) {
  if (username.empty()) throw bad_request("username is required");
  if (password.empty()) throw bad_request("password is required");
  json::object parameters{{"USERNAME", username}, {"PASSWORD", password}};
  add_secret_hash(parameters, username);
  json::object answer = call(api_, "InitiateAuth",
                             {{"AuthFlow", "USER_PASSWORD_AUTH"}, {"ClientId", options_.client_id},
                              {"AuthParameters", std::move(parameters)}},
                             Flow::login);
  LoginResult result;
  if (const json::value* r = answer.if_contains("AuthenticationResult"); r && r->is_object()) {
    result.tokens = tokens_of(r->as_object());
    return result;
  }
  result.challenge = string_member(answer, "ChallengeName");
  result.session = string_member(answer, "Session");
  if (result.challenge.empty()) throw Error(ErrorCode::unavailable, "Cognito answered neither tokens nor a challenge", 2);
  return result;
}

TokenSet CognitoAuthenticator::refresh(const std::string& username, const std::string& refresh_token,
                                       const std::string& /*client_address*/) {
  if (username.empty()) throw bad_request("username is required");
  if (refresh_token.empty()) throw bad_request("refreshToken is required");
  json::object parameters{{"REFRESH_TOKEN", refresh_token}};
  add_secret_hash(parameters, username);
  json::object answer = call(api_, "InitiateAuth",
                             {{"AuthFlow", "REFRESH_TOKEN_AUTH"}, {"ClientId", options_.client_id},
                              {"AuthParameters", std::move(parameters)}},
                             Flow::refresh);
  const json::value* r = answer.if_contains("AuthenticationResult");
  if (!r || !r->is_object()) throw Error(ErrorCode::unavailable, "Cognito answered no tokens", 2);
  return tokens_of(r->as_object());
}

void CognitoAuthenticator::respond_new_password(const std::string& username, const std::string& new_password,
                                                const std::string& session, const std::string& /*client_address*/) {
  if (username.empty()) throw bad_request("username is required");
  if (new_password.empty()) throw bad_request("newPassword is required");
  if (session.empty()) throw bad_request("session is required");
  json::object responses{{"USERNAME", username}, {"NEW_PASSWORD", new_password}};
  add_secret_hash(responses, username);
  call(api_, "RespondToAuthChallenge",
       {{"ChallengeName", "NEW_PASSWORD_REQUIRED"}, {"ClientId", options_.client_id}, {"Session", session},
        {"ChallengeResponses", std::move(responses)}},
       Flow::new_password);
}

}  // namespace k9::identity::cognito
