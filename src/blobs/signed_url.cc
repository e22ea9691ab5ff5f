#include "blobs/signed_url.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <stdexcept>

#include "core/encoding.h"

namespace k9::blobs {

FileUrlSigner::FileUrlSigner(std::string secret, std::string base_url) : secret_(std::move(secret)) {
  if (secret_.size() < 32) throw std::invalid_argument("file url secret must be at least 32 bytes");
  set_base_url(std::move(base_url));
}

std::string FileUrlSigner::base_url() const {
  std::lock_guard lock(mu_);
  return base_url_;
}

void FileUrlSigner::set_base_url(std::string base_url) {
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  std::lock_guard lock(mu_);
  base_url_ = std::move(base_url);
}

std::string FileUrlSigner::sign(const std::string& key, std::string_view expires) const {
  std::string message = key + "\n" + std::string(expires);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

std::string FileUrlSigner::url(const std::string& key, TimePoint expires) const {
  check_key(key);
  std::string e = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count());
  // Key characters ([A-Za-z0-9._:=+-/]) are all literal in a path except '+', which some
  // decoders read as a space: encode it.
  std::string path;
  for (char c : key) path += c == '+' ? std::string("%2B") : std::string(1, c);
  return base_url() + std::string(kRoute) + path + "?expires=" + e + "&signature=" + sign(key, e);
}

FileUrlSigner::Verdict FileUrlSigner::check(const std::string& key, std::string_view expires,
                                            std::string_view signature, TimePoint now) const {
  long long seconds = 0;
  auto r = std::from_chars(expires.data(), expires.data() + expires.size(), seconds);
  if (expires.empty() || expires.size() > 12 || r.ec != std::errc() || r.ptr != expires.data() + expires.size() ||
      expires.front() == '0' || !valid_key(key))
    return Verdict::bad_signature;
  std::string expected = sign(key, expires);
  if (signature.size() != expected.size() || CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0)
    return Verdict::bad_signature;
  if (std::chrono::system_clock::to_time_t(now) > seconds) return Verdict::expired;
  return Verdict::ok;
}

}  // namespace k9::blobs
