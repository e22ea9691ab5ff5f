// GET /healthz (liveness: the process answers, nothing else is asked), GET /readyz (the
// backends answer: store, blobs, key material; within a bound even when one hangs:
// api/readiness.h) and, in local mode, GET /.well-known/jwks.json.
#pragma once
#include <functional>
#include <string>

#include "api/readiness.h"
#include "api/route.h"

namespace k9::api {

class HealthRoutes final : public RouteGroup {
 public:
  // `ready`: what /readyz checks. `jwks` empty: no JWKS route (Cognito mode: the pool
  // publishes its keys).
  HealthRoutes(std::vector<Readiness::Check> ready, std::function<std::string()> jwks,
               std::chrono::milliseconds bound = std::chrono::milliseconds(1000))
      : ready_(std::move(ready), bound), jwks_(std::move(jwks)) {}
  std::vector<Route> routes() override;

 private:
  Readiness ready_;
  std::function<std::string()> jwks_;
};

}  // namespace k9::api
