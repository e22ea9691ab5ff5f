// GET /healthz (liveness: the process answers, nothing else is asked), GET /readyz (the store
// answers) and, in local mode, GET /.well-known/jwks.json.
#pragma once
#include <functional>
#include <string>

#include "api/route.h"
#include "store/store.h"

namespace k9::api {

class HealthRoutes final : public RouteGroup {
 public:
  // `jwks` empty: no JWKS route (Cognito mode: the pool publishes its keys).
  HealthRoutes(store::Store& store, std::function<std::string()> jwks) : store_(store), jwks_(std::move(jwks)) {}
  std::vector<Route> routes() override;

 private:
  store::Store& store_;
  std::function<std::string()> jwks_;
};

}  // namespace k9::api
