// Signed, expiring URLs for blobs that K9 serves itself (embedded mode, GET /files/{key}):
//
//   {base}/files/{key}?expires={unix seconds}&signature={base64url(HMAC-SHA256(secret, key "\n" expires))}
//
// Contract: url() makes a URL that check() accepts for the same key until `expires` (inclusive
// of the second), and rejects afterwards. Any change of key, expiry or signature is rejected
// (constant-time comparison). The secret is at least 32 bytes (<data>/files.key).
#pragma once
#include <mutex>
#include <string>
#include <string_view>

#include "blobs/blob_store.h"

namespace k9::blobs {

class FileUrlSigner {
 public:
  // `base_url`: where K9 is reached, with its base path, e.g. "http://127.0.0.1:3001/prod".
  FileUrlSigner(std::string secret, std::string base_url);

  std::string url(const std::string& key, TimePoint expires) const;

  enum class Verdict { ok, bad_signature, expired };
  Verdict check(const std::string& key, std::string_view expires, std::string_view signature, TimePoint now) const;

  std::string base_url() const;
  // For a server whose port is known only once it listens (--port 0).
  void set_base_url(std::string base_url);
  static constexpr std::string_view kRoute = "/files/";

 private:
  std::string sign(const std::string& key, std::string_view expires) const;
  std::string secret_;
  mutable std::mutex mu_;
  std::string base_url_;  // guarded by mu_
};

}  // namespace k9::blobs
