// The K9 API (SPEC section 3) as a transport-neutral Handler (api/handler.h): the route
// table, dispatch, authentication, media-type checks and error mapping. The routes
// themselves live in route groups (api/*_routes.h), each constructed with only the services
// it uses; App knows none of them. Knows nothing of sockets, Lambda, SQLite or AWS.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "api/handler.h"
#include "api/responses.h"
#include "api/route.h"
#include "api/router.h"
#include "identity/identity.h"

namespace k9::api {

struct AppOptions {
  size_t max_body_bytes = 1024 * 1024;  // routes that declare no limit of their own
  // Wiring facts (the ports say them): reads answered locally never block a network thread;
  // a verifier that can call out makes every bearer route blocking.
  bool store_reads_local = false;
  bool verifier_may_block = true;
  // GET and HEAD of a path no route takes (k9 serve --web: the web app's files); it answers
  // nullopt for "not found here" (then the API's JSON 404).
  std::function<std::optional<Response>(const Request&)> fallback;
};

class App final : public Handler {
 public:
  App(identity::TokenVerifier& verifier, AppOptions options, std::vector<std::unique_ptr<RouteGroup>> groups);

  Admission admit(std::string_view method, std::string_view path) const noexcept override;
  Response handle(const Request& request) noexcept override;
  Response refuse(const Error& error) const noexcept override;

  const Router& router() const { return router_; }
  // Whether requests to `route` may wait on something slow, given this wiring.
  bool blocks(const Route& route) const;

 private:
  // `user`: the verified caller's id, once known (the access log names it, errors included).
  Response dispatch(const Request& request, std::string& user);
  identity::Principal authenticate(const Request& request) const;

  identity::TokenVerifier& verifier_;
  AppOptions options_;
  std::vector<std::unique_ptr<RouteGroup>> groups_;
  Router router_;
};

}  // namespace k9::api
