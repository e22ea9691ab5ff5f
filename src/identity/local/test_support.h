// Test support for identity/local tests: temporary folders and hand-made tokens.
#pragma once
#include <boost/json.hpp>
#include <filesystem>
#include <string>

#include "core/encoding.h"
#include "core/random.h"
#include "identity/local/key_store.h"
#include "identity/local/openssl_util.h"

namespace k9::identity::local::testing {

// A fresh folder under the system temp folder, removed with everything in it.
class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("k9-identity-" + hex_encode(random_bytes(8)))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string b64(const boost::json::object& o) { return base64url_encode(boost::json::serialize(o)); }

// header.payload.signature with an RS256 signature by `key`, whatever the header says.
inline std::string rs256_token(EVP_PKEY* key, const boost::json::object& header, const boost::json::object& payload) {
  std::string input = b64(header) + "." + b64(payload);
  return input + "." + base64url_encode(rs256_sign(key, input));
}

}  // namespace k9::identity::local::testing
