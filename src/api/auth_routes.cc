#include "api/auth_routes.h"

#include "api/openapi.h"
#include "api/responses.h"
#include "api/validation.h"
#include "core/json.h"

namespace k9::api {

namespace json = boost::json;

namespace {

Schema tokens(bool refresh_token) {
  std::vector<Field> f{{"accessToken", string_schema()},
                       {"idToken", string_schema("the bearer token of every other route")},
                       {"expiresIn", integer_schema("seconds")},
                       {"tokenType", literal(json::object{{"const", "Bearer"}})}};
  f.push_back(refresh_token ? Field{"refreshToken", string_schema()}
                            : optional_field("refreshToken", string_schema("only when refresh tokens rotate")));
  return named(refresh_token ? "Tokens" : "RefreshedTokens", object_schema(std::move(f)));
}

}  // namespace

std::vector<Route> AuthRoutes::routes() {
  std::vector<Route> out;
  out.push_back({"POST", "/auth/login", "auth.login", Access::open, Blocking::always, Media::json, 0,
                 [this](const Call& c) {
                   auto in = decode_login(parse_json_object(c.request.body));
                   auto result = auth_.login(in.username, in.password, c.request.remote_address);
                   if (!result.tokens) {
                     return json_response(202, json::object{{"challenge", result.challenge},
                                                            {"session", result.session},
                                                            {"username", in.username}});
                   }
                   auto& t = *result.tokens;
                   return json_response(200, json::object{{"accessToken", t.access_token},
                                                          {"idToken", t.id_token},
                                                          {"refreshToken", t.refresh_token},
                                                          {"expiresIn", t.expires_in},
                                                          {"tokenType", "Bearer"}});
                 },
                 RouteDoc{.summary = "Sign in with a username and password",
                          .request = described_input<LoginInput>({"username", "password"}),
                          .responses = {{200, "Signed in", tokens(true)},
                                        {202, "A new password is needed first (POST /auth/reset with the session)",
                                         named("Challenge", object_schema({{"challenge", literal(json::object{{"const", "NEW_PASSWORD_REQUIRED"}})},
                                                                           {"session", string_schema()},
                                                                           {"username", string_schema()}}))},
                                        {401, "Wrong username or password"},
                                        {429, "Too many failed attempts"}},
                          .example = {.body = {{"username", "demo"}, {"password", "demo-password-1"}}}}});
  out.push_back({"POST", "/auth/refresh", "auth.refresh", Access::open, Blocking::always, Media::json, 0,
                 [this](const Call& c) {
                   auto in = decode_refresh(parse_json_object(c.request.body));
                   auto t = auth_.refresh(in.username, in.refresh_token, c.request.remote_address);
                   json::object o{{"accessToken", t.access_token},
                                  {"idToken", t.id_token},
                                  {"expiresIn", t.expires_in},
                                  {"tokenType", "Bearer"}};
                   if (!t.refresh_token.empty()) o["refreshToken"] = t.refresh_token;  // only when tokens rotate
                   return json_response(200, o);
                 },
                 RouteDoc{.summary = "New tokens for a refresh token",
                          .request = described_input<RefreshInput>({"username", "refreshToken"}),
                          .responses = {{200, "New tokens", tokens(false)}, {401, "The refresh token is not valid"}},
                          .example = {.body = {{"username", "demo"}, {"refreshToken", "<refreshToken of /auth/login>"}}}}});
  out.push_back({"POST", "/auth/reset", "auth.reset", Access::open, Blocking::always, Media::json, 0,
                 [this](const Call& c) {
                   auto in = decode_reset(parse_json_object(c.request.body));
                   auth_.respond_new_password(in.username, in.new_password, in.session, c.request.remote_address);
                   return json_response(200, json::object{{"success", true}});
                 },
                 RouteDoc{.summary = "Set a new password (after a NEW_PASSWORD_REQUIRED challenge)",
                          .request = described_input<ResetInput>({"username", "newPassword", "session"}),
                          .responses = {{200, "The password is set: sign in with it", schemas::success()},
                                        {401, "The session is not valid"},
                                        {410, "The session expired"}},
                          .example = {.body = {{"username", "newcomer"},
                                               {"newPassword", "a-new-password-1"},
                                               {"session", "<session of the 202 answer>"}}}}});
  return out;
}

}  // namespace k9::api
