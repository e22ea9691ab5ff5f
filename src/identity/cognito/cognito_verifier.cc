#include "identity/cognito/cognito_verifier.h"

#include <boost/json.hpp>

#include "core/error.h"
#include "identity/local/jwt.h"

namespace k9::identity::cognito {

namespace json = boost::json;
using local::string_claim;

namespace {

[[noreturn]] void reject(const std::string& message) { throw Error(ErrorCode::unauthorized, message); }

}  // namespace

CognitoVerifier::CognitoVerifier(VerifierOptions options, JwksCache& keys, const Clock& clock)
    : options_(std::move(options)), keys_(keys), clock_(clock), cache_(options_.cache_capacity, clock) {}

Principal CognitoVerifier::verify(std::string_view token) {
  if (token.empty()) reject("missing token");
  if (token.size() > local::kMaxTokenBytes) reject("token too large");
  if (auto cached = cache_.find(token)) return *cached;
  Principal p = check(token);
  cache_.insert(token, p);
  return p;
}

Principal CognitoVerifier::check(std::string_view token) {
  local::KeyLookup lookup = [this](std::string_view kid) { return keys_.find(kid); };
  json::object claims =
      local::verify_jwt(token, lookup, local::JwtRules{options_.issuer, &clock_, options_.leeway_seconds});
  const bool is_id = string_claim(claims, "token_use") == "id";  // verify_jwt allowed only "id" and "access"
  if (string_claim(claims, is_id ? "aud" : "client_id") != options_.client_id)
    reject(is_id ? "wrong token audience" : "wrong token client");
  return local::principal_of(claims);
}

}  // namespace k9::identity::cognito
