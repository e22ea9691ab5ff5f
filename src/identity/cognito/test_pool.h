// Test support for identity/cognito: a stand-in user pool key endpoint served over real HTTP
// (K9's own http::Server), and tokens minted the way Cognito mints them.
#pragma once
#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <atomic>
#include <boost/json.hpp>
#include <mutex>
#include <string>

#include "api/handler.h"
#include "core/encoding.h"
#include "http/server.h"
#include "identity/local/key_store.h"
#include "identity/local/openssl_util.h"

namespace k9::identity::cognito::testing {

using local::PkeyPtr;

inline std::string b64(const boost::json::object& o) { return base64url_encode(boost::json::serialize(o)); }

inline std::string bn_b64(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  EVP_PKEY_get_bn_param(key, name, &raw);
  local::BnPtr bn(raw);
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  return base64url_encode(bytes);
}

// The JWK (public part) of an RSA key.
inline boost::json::object jwk_of(EVP_PKEY* key, const std::string& kid) {
  return {{"kty", "RSA"}, {"alg", "RS256"}, {"use", "sig"}, {"kid", kid},
          {"n", bn_b64(key, OSSL_PKEY_PARAM_RSA_N)}, {"e", bn_b64(key, OSSL_PKEY_PARAM_RSA_E)}};
}

inline std::string public_pem(EVP_PKEY* key) {
  local::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), key);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

// header.payload.signature with an RS256 signature by `key`, whatever the header says.
inline std::string rs256_token(EVP_PKEY* key, const boost::json::object& header, const boost::json::object& payload) {
  std::string input = b64(header) + "." + b64(payload);
  return input + "." + base64url_encode(local::rs256_sign(key, input));
}

// Serves GET /{pool}/.well-known/jwks.json with the JWKS it is given, counting requests;
// any other path is 404. `status` lets a test make the endpoint fail.
class KeyEndpoint final : public api::Handler {
 public:
  KeyEndpoint() : server_(options(), *this) { server_.start(); }
  ~KeyEndpoint() override { server_.stop(std::chrono::milliseconds(100)); }

  std::string issuer(const std::string& pool = "local_pool1") const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + "/" + pool;
  }
  void set_keys(const boost::json::array& keys) {
    std::lock_guard lock(mutex_);
    jwks_ = boost::json::serialize(boost::json::object{{"keys", keys}});
  }
  void set_status(int status) { status_ = status; }
  int hits() const { return hits_; }

  api::Admission admit(std::string_view, std::string_view) const noexcept override { return {1024, true}; }
  api::Response refuse(const Error& e) const noexcept override {
    api::Response r;
    r.status = e.code() == ErrorCode::too_large ? 413 : 400;
    return r;
  }
  api::Response handle(const api::Request& request) noexcept override {
    api::Response r;
    if (!request.path.ends_with("/.well-known/jwks.json")) {
      r.status = 404;
      return r;
    }
    ++hits_;
    r.status = status_;
    std::lock_guard lock(mutex_);
    r.body = jwks_;
    return r;
  }

 private:
  static http::ServerOptions options() {
    http::ServerOptions o;
    o.port = 0;
    o.io_threads = 1;
    o.handler_threads = 2;
    o.cors_origin = "";
    return o;
  }

  std::mutex mutex_;
  std::string jwks_ = R"({"keys":[]})";
  std::atomic<int> status_{200};
  std::atomic<int> hits_{0};
  http::Server server_;
};

}  // namespace k9::identity::cognito::testing
