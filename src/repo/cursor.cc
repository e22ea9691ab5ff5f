#include "repo/cursor.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include "core/encoding.h"
#include "core/error.h"
#include "store/item_json.h"

namespace k9::repo {

namespace {
constexpr size_t kMac = 16;  // truncated HMAC-SHA256, 128 bits

std::string mac(const std::string& secret, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), kMac);
}
}  // namespace

std::string CursorCodec::encode(const store::Item& key) const {
  std::string payload = store::serialize_item(key);
  return base64url_encode(mac(secret_(), payload) + payload);
}

store::Item CursorCodec::decode(const std::string& cursor) const {
  auto raw = cursor.size() <= 4096 ? base64url_decode(cursor) : std::nullopt;
  if (!raw || raw->size() <= kMac) throw bad_request("Invalid cursor");
  std::string payload = raw->substr(kMac);
  std::string expected = mac(secret_(), payload);
  if (CRYPTO_memcmp(expected.data(), raw->data(), kMac) != 0) throw bad_request("Invalid cursor");
  try {
    return store::parse_item(payload);
  } catch (const std::exception&) {
    throw bad_request("Invalid cursor");
  }
}

}  // namespace k9::repo
