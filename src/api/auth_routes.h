// POST /auth/login, /auth/refresh, /auth/reset: sign-in through the identity port (local
// issuer or Cognito). No token needed; each hashes a password or calls Cognito, so blocks.
#pragma once
#include "api/route.h"
#include "identity/identity.h"

namespace k9::api {

class AuthRoutes final : public RouteGroup {
 public:
  explicit AuthRoutes(identity::Authenticator& authenticator) : auth_(authenticator) {}
  std::vector<Route> routes() override;

 private:
  identity::Authenticator& auth_;
};

}  // namespace k9::api
