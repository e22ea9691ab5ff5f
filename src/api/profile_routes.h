// GET and PATCH /user/profile: the caller's profile, created from the token's claims on first
// call (so GET may write: it blocks).
#pragma once
#include "api/route.h"
#include "repo/user_repository.h"
#include "uploads/image_files.h"

namespace k9::api {

class ProfileRoutes final : public RouteGroup {
 public:
  // `images` null: the avatar url is shown as stored.
  ProfileRoutes(repo::UserRepository& users, uploads::ImageFiles* images) : users_(users), images_(images) {}
  std::vector<Route> routes() override;

 private:
  repo::UserRepository& users_;
  uploads::ImageFiles* images_;
};

}  // namespace k9::api
