// Test support for identity tests: hand-made tokens (temporary folders: testing/base/temp_dir.h).
#pragma once
#include <boost/json.hpp>
#include <string>

#include "core/encoding.h"
#include "identity/local/key_store.h"
#include "identity/local/openssl_util.h"

namespace k9::identity::local::testing {

inline std::string b64(const boost::json::object& o) { return base64url_encode(boost::json::serialize(o)); }

// header.payload.signature with an RS256 signature by `key`, whatever the header says.
inline std::string rs256_token(EVP_PKEY* key, const boost::json::object& header, const boost::json::object& payload) {
  std::string input = b64(header) + "." + b64(payload);
  return input + "." + base64url_encode(rs256_sign(key, input));
}

}  // namespace k9::identity::local::testing
