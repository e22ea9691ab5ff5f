// JWT (JWS compact, RS256) signing and strict verification for local mode.
//
// verify_jwt contract — throws k9::Error(unauthorized, message) unless all hold:
//  - the token is non-empty and at most kMaxTokenBytes (checked before any parsing);
//  - exactly 3 non-empty base64url segments, no padding, no other characters;
//  - header is a JSON object with alg "RS256" (none, HS256 and everything else refused),
//    typ absent or "JWT", no "crit", and a string kid the KeyStore knows;
//  - the signature verifies (EVP_DigestVerify, SHA-256, PKCS#1 v1.5) over "header.payload";
//  - payload is a JSON object; exp is an integer and now < exp + rules.exp_leeway; nbf and iat, when present,
//    are integers no more than kMaxFutureSkew seconds after now; iss equals rules.issuer;
//    token_use is "id" or "access".
// It answers the payload's claims. Thread-safe.
#pragma once
#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "identity/identity.h"
#include "identity/local/key_store.h"

namespace k9::identity::local {

constexpr size_t kMaxTokenBytes = 8 * 1024;
constexpr int64_t kMaxFutureSkew = 60;  // seconds

struct JwtRules {
  std::string issuer;
  const Clock* clock = &Clock::system();
  int64_t exp_leeway = 0;  // seconds a token is still accepted after its exp (clock skew)
};

// The RS256 verification key for a kid, or nullptr when the kid is unknown. The answer keeps
// the key alive while the caller uses it. May block (a JWKS fetch) and may throw k9::Error.
using KeyLookup = std::function<std::shared_ptr<EVP_PKEY>(std::string_view kid)>;

// Header {"alg":"RS256","typ":"JWT","kid":key.kid}; payload is `claims` as given.
std::string sign_jwt(const SigningKey& key, const boost::json::object& claims);

boost::json::object verify_jwt(std::string_view token, const KeyLookup& keys, const JwtRules& rules);
// The same with the keys of a KeyStore.
boost::json::object verify_jwt(std::string_view token, const KeyStore& keys, const JwtRules& rules);

// A string claim's value, or "" when it is absent or not a string.
std::string string_claim(const boost::json::object& claims, std::string_view name);

// The principal of verify_jwt's claims, Cognito's claim names (local tokens use them too):
// token_use, sub, username (cognito:username in id tokens, username in access tokens), name,
// email, exp, iat. Throws k9::Error(unauthorized) when sub or the username is missing. Which
// token uses and audiences a deployment accepts is its verifier's to check.
Principal principal_of(const boost::json::object& claims);

}  // namespace k9::identity::local
