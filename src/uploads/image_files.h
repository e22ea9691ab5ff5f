// Images of users and reports in the blob store: uploads (PUT /uploads/{name}), avatars
// (PUT /user/avatar), the images and masks of a report's reference product, the URLs a
// browser fetches them by, and the sweep of old uploads.
//
// Keys:  uploads/<user>/<uuid>-<name>   an upload, swept `upload_ttl` after it was made
//        uploads-direct/<user>/<uuid>-<name>  a direct upload (a presigned PUT, bytes never
//                                        seen by K9 until a report claims it), swept alike
//        images/<user>/<uuid>.<ext>      a report's image or mask (a copy of an upload, or a
//                                        decoded data: URL), deleted with the report
//        avatars/<user>/<uuid>.<ext>     a user's avatar; the previous one is deleted
// <user> is the token's sub when it is 1..128 of [A-Za-z0-9_-], else "h-" + 32 hex digits of
// its SHA-256.
//
// Contract:
//  - Every image is checked before anything is stored: the body is not empty (400), at most
//    max_bytes (413), sniffed as JPEG, PNG or WebP from its bytes (415 otherwise), whole and
//    well-formed (400), and at most max_pixels by its header (413), read before any decode.
//    A refused image stores nothing. Errors are k9::Error with a message naming the field.
//  - claim_report_images() takes, for each image url and mask, one of the caller's own
//    uploads (its key) or a data:image/...;base64 URL, which it copies or stores into
//    images/, rewriting the product to name those keys. A value that names K9's files
//    otherwise (another user's upload, images/..., avatars/..., "..", an absolute path) is
//    refused with 400 naming the field (e.g. reference.images[1].mask). Any other value (an
//    external https URL, a name from an older client) is kept as given and never signed,
//    served or fetched by K9. A direct upload's key is accepted the same way, its bytes read
//    and checked as an upload's are (empty, size, type, header) when the report claims it.
//    Everything is checked before anything is written; if a write
//    fails, what was written is removed. The caller removes them too (release()) if the
//    report is not created.
//  - browser_url() turns a stored images/, avatars/ or catalog/ key (catalog images, written by
//    `k9 catalog import`) into a presigned GET URL valid for
//    url_ttl; every other value passes through unchanged (only keys K9 wrote are signed).
//  - sweep_uploads() deletes every upload older than upload_ttl (claimed ones were copied)
//    and answers how many it deleted.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blobs/blob_store.h"
#include "core/clock.h"
#include "core/domain.h"

namespace k9::uploads {

struct UploadLimits {
  size_t max_bytes = 20 * 1024 * 1024;
  uint64_t max_pixels = 50'000'000;
  std::chrono::seconds url_ttl{3600};
  std::chrono::seconds upload_ttl{24 * 3600};
};

struct StoredImage {
  std::string key;
  std::string url;  // presigned, valid for url_ttl
};

class ImageFiles {
 public:
  ImageFiles(blobs::BlobStore& store, UploadLimits limits = {}, const Clock& clock = Clock::system())
      : store_(store), limits_(limits), clock_(clock) {}

  StoredImage upload(const std::string& user_id, const std::string& name, std::string_view bytes);
  StoredImage store_avatar(const std::string& user_id, std::string_view bytes);
  // A key and a presigned PUT URL for an upload that does not pass through K9 (larger than a
  // Lambda request); nullopt when the blob store takes none (files on disk).
  struct DirectUpload {
    std::string key, url;
    std::chrono::seconds expires_in;
  };
  std::optional<DirectUpload> start_direct_upload(const std::string& user_id, const std::string& name);

  // Keys written by claim_report_images(), to release when the report is not created.
  struct Claim {
    std::vector<std::string> written;
  };
  Claim claim_report_images(const std::string& user_id, Product& reference);
  void release(const Claim& claim);
  // Deletes the report files (images/ keys) that `reference` names; others are left alone.
  void remove_report_files(const Product& reference);
  // Deletes a previous avatar (an avatars/ key of this user); anything else is left alone.
  void remove_avatar(const std::string& user_id, const std::string& stored);

  // The bytes of an image the user may name: one of their uploads or report images (by key)
  // or a base64 data: URL, checked as uploads are. Anything else is 400 naming `field`.
  std::string read_own(const std::string& user_id, const std::string& value, const std::string& field);
  // The bytes of a stored images/ or catalog/ key (what analysis reads); nullopt for any
  // other value (an external URL, which K9 never fetches) and for a missing file.
  std::optional<std::string> read(const std::string& stored);
  std::string browser_url(const std::string& stored) { return browser_url(stored, limits_.url_ttl); }
  std::string browser_url(const std::string& stored, std::chrono::seconds ttl);
  size_t sweep_uploads();

  const UploadLimits& limits() const { return limits_; }
  blobs::BlobStore& store() { return store_; }

  // "uploads/<user>/" and friends (tests, the sweep).
  static std::string user_folder(const std::string& user_id);
  static constexpr std::string_view kUploads = "uploads/", kDirectUploads = "uploads-direct/", kImages = "images/",
                                   kAvatars = "avatars/", kCatalog = "catalog/";

 private:
  StoredImage store_checked(const std::string& key_stem, std::string_view bytes, const std::string& field);

  blobs::BlobStore& store_;
  UploadLimits limits_;
  const Clock& clock_;
};

// 1..100 characters of [A-Za-z0-9._-], not starting with '.': a file name, never a path.
// Throws k9::Error bad_request saying so.
std::string checked_upload_name(const std::string& name);

}  // namespace k9::uploads
