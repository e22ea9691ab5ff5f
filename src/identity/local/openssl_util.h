// Small RAII and error helpers over OpenSSL 3 (EVP APIs only). Internal to identity/local.
#pragma once
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace k9::identity::local {

struct EvpPkeyFree { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct EvpPkeyCtxFree { void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); } };
struct EvpMdCtxFree { void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); } };
struct BioFree { void operator()(BIO* p) const { BIO_free(p); } };
struct BnFree { void operator()(BIGNUM* p) const { BN_free(p); } };

using PkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

// The queued OpenSSL errors as text (and clears the queue); "unknown" when none.
std::string openssl_errors();
// Throws k9::Error(internal, what + ": " + openssl_errors()).
[[noreturn]] void throw_openssl(const std::string& what);

// RSASSA-PKCS1-v1_5 with SHA-256 (JWS "RS256").
std::string rs256_sign(EVP_PKEY* key, std::string_view data);
// False for any wrong signature; never throws for hostile input.
bool rs256_verify(EVP_PKEY* key, std::string_view data, std::string_view signature);

}  // namespace k9::identity::local
