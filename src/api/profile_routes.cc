#include "api/profile_routes.h"

#include "api/browser_urls.h"
#include "api/openapi.h"
#include "api/responses.h"
#include "api/validation.h"
#include "core/json.h"
#include "core/json_codec.h"

namespace k9::api {

std::vector<Route> ProfileRoutes::routes() {
  std::vector<Route> out;
  out.push_back({"GET", "/user/profile", "profile.get", Access::bearer, Blocking::always, Media::none, 0,
                 [this](const Call& c) {
                   auto& p = c.user;
                   return json_response(200, to_json(with_browser_urls(images_, users_.get_or_create(p.sub, p.name, p.email))));
                 },
                 RouteDoc{.summary = "The signed-in user (created from the token's claims on the first call)",
                          .responses = {{200, "The user", described<User>()}}}});
  out.push_back({"PATCH", "/user/profile", "profile.update", Access::bearer, Blocking::always, Media::json, 0,
                 [this](const Call& c) {
                   auto& p = c.user;
                   auto patch = decode_profile_patch(parse_json_object(c.request.body));
                   users_.get_or_create(p.sub, p.name, p.email);
                   return json_response(200, to_json(with_browser_urls(images_, users_.update_profile(p.sub, patch))));
                 },
                 RouteDoc{.summary = "Change the user's name, email or preferences (preferences merge)",
                          .request = described<ProfileInput>(SchemaUse::input),
                          .responses = {{200, "The user", described<User>()}},
                          .example = {.body = {{"name", "Demo User"},
                                               {"preferences", {{"defaultReportTitle", "Kitchen"}, {"exportFormat", "zip"}}}}}}});
  return out;
}

}  // namespace k9::api
