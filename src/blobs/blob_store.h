// The blob store port: named byte objects (reference photos, masks, avatars, catalog images,
// similarity matrices). A folder on disk in embedded mode (blobs/fs), an S3 bucket in AWS
// mode (blobs/s3). Both pass one conformance suite (blob_store_conformance.h).
//
// Contract:
//  - Keys are 1..1024 bytes of '/'-separated segments; each segment is 1..255 characters of
//    [A-Za-z0-9._:=+-], does not start with '.', and is not "." or "..". Any other key is
//    refused with InvalidKey before anything is touched (check_key()), so no key can leave
//    the store's folder or prefix. A key must not also be the folder of another key ("a"
//    and "a/b"): adapters may refuse the second one with InvalidKey.
//  - put() replaces the whole object atomically: a reader sees the old bytes or the new
//    ones, never a mix, and after put() returns the object is durable (fsync'd on disk,
//    acknowledged by S3). put_file() does the same from a file, reading it in bounded chunks.
//  - get() / head() answer nullopt for an absent key; remove() of an absent key is no error.
//  - copy() makes `to` an independent copy of `from` (later changes of one do not show in
//    the other); it throws NotFound when `from` is absent.
//  - list() answers the objects whose key starts with `prefix` (a plain string prefix), in
//    ascending byte order of key, at most `limit` per page; pass the page's `next` to
//    continue, "" when there are no more.
//  - presigned_get_url() answers an absolute URL that lets anyone holding it GET the object's
//    bytes without other credentials until `expires` has passed, and not after. The object
//    need not exist when the URL is made.
//  - Backend faults (I/O errors, throttling, 5xx, timeouts after retries) throw Unavailable;
//    nothing half-written is left visible under the key.
//  - Safe to use from many threads.
#pragma once
#include "core/error.h"
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace k9::blobs {

using TimePoint = std::chrono::system_clock::time_point;

struct BlobInfo {
  std::string key;
  uint64_t size = 0;
  std::string content_type;  // as given to put(); "application/octet-stream" when none
  TimePoint last_modified;   // second precision at least
};

struct Blob {
  BlobInfo info;
  std::string bytes;
};

struct ListPage {
  std::vector<BlobInfo> items;  // content_type may be empty in listings
  std::string next;             // "" = no more
};

// The blob store's failures are k9::Error (core/error.h), translated here at the port, once.
// what() keeps the backend's words for logs; message() is what a client may see.
class InvalidKey : public Error {
 public:
  explicit InvalidKey(const std::string& message) : Error(ErrorCode::bad_request, message) {}
};

class NotFound : public Error {
 public:
  explicit NotFound(const std::string& message) : Error(ErrorCode::not_found, message) {}
};

class Unavailable : public Error {
 public:
  explicit Unavailable(const std::string& detail)
      : Error(ErrorCode::unavailable, "File storage is unavailable; try again", detail, 2) {}
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  virtual void put(const std::string& key, std::string_view bytes, const std::string& content_type = "") = 0;
  virtual void put_file(const std::string& key, const std::filesystem::path& file,
                        const std::string& content_type = "") = 0;
  virtual std::optional<Blob> get(const std::string& key) = 0;
  // The object written to `file` (replaced), without holding it whole in memory where the
  // store can stream it; its info, or nullopt (and `file` untouched) when it does not exist.
  virtual std::optional<BlobInfo> get_to_file(const std::string& key, const std::filesystem::path& file);
  virtual std::optional<BlobInfo> head(const std::string& key) = 0;
  virtual void remove(const std::string& key) = 0;
  virtual void copy(const std::string& from, const std::string& to) = 0;
  virtual ListPage list(const std::string& prefix, const std::string& start = "", size_t limit = 1000) = 0;
  virtual std::string presigned_get_url(const std::string& key, std::chrono::seconds expires) = 0;
  // A URL a client PUTs the object's bytes to, without K9 in between (uploads larger than a
  // Lambda request); nullopt when this store takes none (files on disk).
  virtual std::optional<std::string> presigned_put_url(const std::string& key, std::chrono::seconds expires) {
    (void)key;
    (void)expires;
    return std::nullopt;
  }
  // Calls to the backend repeated after a transient failure since it was opened (metrics).
  virtual uint64_t retries() const { return 0; }
};

inline constexpr size_t kMaxKeyBytes = 1024;
inline constexpr size_t kMaxSegmentBytes = 255;
inline constexpr std::string_view kDefaultContentType = "application/octet-stream";

// Throws InvalidKey (saying why) unless `key` follows the key rules above.
void check_key(std::string_view key);
bool valid_key(std::string_view key);
// A prefix for list(): "" or a string that a valid key could start with.
void check_prefix(std::string_view prefix);

}  // namespace k9::blobs
