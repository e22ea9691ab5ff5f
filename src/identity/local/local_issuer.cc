#include "identity/local/local_issuer.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/encoding.h"
#include "core/error.h"
#include "core/random.h"
#include "identity/local/jwt.h"

namespace k9::identity::local {

namespace json = boost::json;

namespace {

[[noreturn]] void reject(const std::string& message) { throw Error(ErrorCode::unauthorized, message); }

}  // namespace

LocalIssuer::LocalIssuer(KeyStore& keys, IssuerOptions options, const Clock& clock)
    : keys_(keys), options_(std::move(options)), clock_(clock), cache_(options_.cache_capacity, clock) {}

TokenSet LocalIssuer::issue(const Credential& c) const {
  const int64_t iat = unix_seconds(clock_.now());
  const int64_t exp = iat + options_.token_lifetime_seconds;
  keys_.sync_with_folder();
  auto key = keys_.current();
  json::object id{
      {"sub", c.sub},
      {"iss", options_.issuer},
      {"aud", options_.client_id},
      {"token_use", "id"},
      {"cognito:username", c.username},
      {"name", c.name},
      {"email", c.email},
      {"iat", iat},
      {"exp", exp},
  };
  json::object access{
      {"sub", c.sub},
      {"iss", options_.issuer},
      {"client_id", options_.client_id},
      {"token_use", "access"},
      {"username", c.username},
      {"scope", "openid"},
      {"iat", iat},
      {"exp", exp},
      {"jti", new_uuid()},
  };
  TokenSet out;
  out.id_token = sign_jwt(*key, id);
  out.access_token = sign_jwt(*key, access);
  out.expires_in = options_.token_lifetime_seconds;
  return out;
}

Principal LocalIssuer::verify(std::string_view token) {
  if (token.empty()) reject("missing token");
  if (token.size() > kMaxTokenBytes) reject("token too large");
  if (auto cached = cache_.find(token)) {
    if (gate_) gate_->check(*cached);
    return *cached;
  }
  Principal p = check(token);
  cache_.insert(token, p);
  if (gate_) gate_->check(p);
  return p;
}

AccountGate& LocalIssuer::require_live_accounts(CredentialRepository& credentials, AccountGateOptions gate_options,
                                                const Clock* clock) {
  gate_ = std::make_unique<AccountGate>(credentials, gate_options, clock ? *clock : clock_);
  return *gate_;
}

Principal LocalIssuer::check(std::string_view token) const {
  KeyLookup lookup = [this](std::string_view kid) -> std::shared_ptr<EVP_PKEY> {
    auto key = keys_.find(kid);
    if (!key && keys_.sync_with_folder()) key = keys_.find(kid);
    return key ? std::shared_ptr<EVP_PKEY>(key, key->pkey.get()) : nullptr;
  };
  json::object claims = verify_jwt(token, lookup, JwtRules{options_.issuer, &clock_});
  const std::string use = string_claim(claims, "token_use");
  const auto& uses = options_.accepted_token_uses;
  if (std::find(uses.begin(), uses.end(), use) == uses.end()) reject("wrong token_use");
  if (string_claim(claims, use == "id" ? "aud" : "client_id") != options_.client_id) reject("wrong token audience");
  return principal_of(claims);
}

}  // namespace k9::identity::local
