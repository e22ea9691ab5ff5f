#include "api/auth_routes.h"

#include "api/responses.h"
#include "api/validation.h"
#include "core/json.h"

namespace k9::api {

namespace json = boost::json;

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
                 }});
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
                 }});
  out.push_back({"POST", "/auth/reset", "auth.reset", Access::open, Blocking::always, Media::json, 0,
                 [this](const Call& c) {
                   auto in = decode_reset(parse_json_object(c.request.body));
                   auth_.respond_new_password(in.username, in.new_password, in.session, c.request.remote_address);
                   return json_response(200, json::object{{"success", true}});
                 }});
  return out;
}

}  // namespace k9::api
