#include "api/health_routes.h"

#include "api/openapi.h"
#include "api/responses.h"

namespace k9::api {

std::vector<Route> HealthRoutes::routes() {
  std::vector<Route> out;
  // Liveness: the process answers; nothing behind it is asked, so a slow backend never
  // delays it (load balancers and the Lambda emulator poll it).
  out.push_back({"GET", "/healthz", "health.live", Access::open, Blocking::never, Media::none, 0, [](const Call&) {
                   return json_response(200, boost::json::object{{"status", "ok"}});
                 },
                 RouteDoc{.summary = "Liveness: the process answers",
                          .description = "Nothing behind it is asked, so a slow backend never delays it.",
                          .responses = {{200, "Alive", object_schema({{"status", literal({{"const", "ok"}})}})}}}});
  // Readiness: the backends answer, said within the bound (api/readiness.h).
  out.push_back({"GET", "/readyz", "health.ready", Access::open, Blocking::always, Media::none, 0, [this](const Call&) {
                   auto r = ready_.probe();
                   boost::json::object checks;
                   std::string why;
                   for (auto& [name, status] : r.checks) {
                     checks[name] = status;
                     if (status != "ok") why += (why.empty() ? "" : "; ") + name + " " + status;
                   }
                   if (!r.ready) throw Error(ErrorCode::unavailable, "not ready: " + why, 5);
                   return json_response(200, boost::json::object{{"status", "ready"}, {"checks", std::move(checks)}});
                 },
                 RouteDoc{.summary = "Readiness: the store, the file store and the key material answer",
                          .description = "Answers within about a second even when a backend hangs (503 naming it).",
                          .responses = {{200, "Ready", object_schema({{"status", literal({{"const", "ready"}})},
                                                                      {"checks", literal({{"type", "object"},
                                                                                          {"additionalProperties",
                                                                                           {{"const", "ok"}}}})}})},
                                        {503, "A backend is not answering; the message names it"}}}});
  if (jwks_) {
    // The keys are in memory (KeyStore re-reads its folder at most every few seconds).
    out.push_back({"GET", "/.well-known/jwks.json", "jwks", Access::open, Blocking::reads, Media::none, 0,
                   [this](const Call&) {
                     Response r;
                     r.body = jwks_();
                     r.headers.emplace_back("Cache-Control", "public, max-age=300");
                     return r;
                   },
                   RouteDoc{.summary = "The public keys that verify K9's tokens (local mode)",
                            .responses = {{200, "A JSON Web Key Set",
                                           object_schema({{"keys", array_of(object_schema(
                                                                      {{"kty", string_schema()},
                                                                       {"kid", string_schema()},
                                                                       optional_field("alg", string_schema()),
                                                                       optional_field("use", string_schema())}))}})}}}});
  }
  return out;
}

}  // namespace k9::api
