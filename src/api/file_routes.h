// Files (SPEC section 3): PUT /uploads/{name} and PUT /user/avatar (image bytes, sniffed,
// under the upload limit of uploads/image_files.h, which is also the route's body limit),
// POST /uploads {name} (S3 mode: a key and a presigned PUT for bytes that bypass K9, checked
// when a report claims the key), and
// in embedded mode GET /files/{key+}, the K9-signed links browsers fetch without a token.
#pragma once
#include "api/route.h"
#include "blobs/signed_url.h"
#include "repo/user_repository.h"
#include "uploads/image_files.h"

namespace k9::api {

class FileRoutes final : public RouteGroup {
 public:
  // `file_urls` null: no /files route (S3 mode: links are presigned S3 GETs).
  FileRoutes(uploads::ImageFiles& images, repo::UserRepository& users, const blobs::FileUrlSigner* file_urls,
             const Clock& clock = Clock::system())
      : images_(images), users_(users), file_urls_(file_urls), clock_(clock) {}
  std::vector<Route> routes() override;

 private:
  Response avatar(const Call& c);
  Response signed_file(const Call& c);

  uploads::ImageFiles& images_;
  repo::UserRepository& users_;
  const blobs::FileUrlSigner* file_urls_;
  const Clock& clock_;
};

}  // namespace k9::api
