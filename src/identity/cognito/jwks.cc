#include "identity/cognito/jwks.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <boost/json.hpp>

#include "core/encoding.h"
#include "core/error.h"
#include "identity/local/openssl_util.h"

namespace k9::identity::cognito {

namespace json = boost::json;
using local::BnPtr;
using local::PkeyCtxPtr;

namespace {

struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};

std::string_view string_of(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

BnPtr bignum_of(std::string_view base64url) {
  auto bytes = base64url_decode(base64url);
  if (!bytes || bytes->empty()) return nullptr;
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes->data()), static_cast<int>(bytes->size()), nullptr));
}

}  // namespace

PublicKey rsa_public_key(std::string_view n_base64url, std::string_view e_base64url) {
  BnPtr n = bignum_of(n_base64url), e = bignum_of(e_base64url);
  if (!n || !e || BN_num_bits(n.get()) < 2048) return nullptr;
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
    return nullptr;
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return PublicKey(raw, EVP_PKEY_free);
}

KeySet parse_jwks(std::string_view text) {
  std::error_code ec;
  json::value doc = json::parse(text, ec);
  const json::value* keys = !ec && doc.is_object() ? doc.as_object().if_contains("keys") : nullptr;
  if (!keys || !keys->is_array()) throw Error(ErrorCode::unavailable, "the token key set (JWKS) is malformed", 5);
  KeySet out;
  for (const json::value& entry : keys->as_array()) {
    if (!entry.is_object()) continue;
    const json::object& jwk = entry.as_object();
    std::string_view kid = string_of(jwk, "kid"), alg = string_of(jwk, "alg"), use = string_of(jwk, "use");
    if (kid.empty() || string_of(jwk, "kty") != "RSA") continue;
    if (jwk.contains("alg") && alg != "RS256") continue;
    if (jwk.contains("use") && use != "sig") continue;
    if (out.find(kid) != out.end()) continue;
    if (PublicKey key = rsa_public_key(string_of(jwk, "n"), string_of(jwk, "e"))) out.emplace(std::string(kid), key);
  }
  return out;
}

}  // namespace k9::identity::cognito
