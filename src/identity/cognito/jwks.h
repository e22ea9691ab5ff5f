// JWKS (RFC 7517) parsing: the RS256 verification keys of a JWKS document, by kid.
//
// Contract:
//  - parse_jwks() throws k9::Error(unavailable) when `text` is not a JSON object with a
//    "keys" array (a broken key endpoint is a backend fault, not the caller's).
//  - It keeps only keys with a string kid, kty "RSA", alg absent or "RS256", use absent or
//    "sig", and n, e base64url (no padding) giving an RSA modulus of at least 2048 bits;
//    it skips every other entry (EC keys, encryption keys, short keys). A kid seen twice
//    keeps its first key.
#pragma once
#include <openssl/evp.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace k9::identity::cognito {

using PublicKey = std::shared_ptr<EVP_PKEY>;
using KeySet = std::map<std::string, PublicKey, std::less<>>;

KeySet parse_jwks(std::string_view text);

// The RSA public key of base64url `n` and `e`, or nullptr when they are not valid.
PublicKey rsa_public_key(std::string_view n_base64url, std::string_view e_base64url);

}  // namespace k9::identity::cognito
