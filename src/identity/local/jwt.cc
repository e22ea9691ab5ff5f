#include "identity/local/jwt.h"

#include <boost/json.hpp>
#include <optional>
#include <vector>

#include "core/encoding.h"
#include "core/error.h"
#include "core/json.h"

namespace k9::identity::local {

namespace json = boost::json;

namespace {

[[noreturn]] void reject(const std::string& message) { throw Error(ErrorCode::unauthorized, message); }

// Parses `text` as a JSON object, or nullopt.
std::optional<json::object> parse_object(std::string_view text) {
  std::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// The integer claim `name`: nullopt when absent; rejects when present but not an integer.
std::optional<int64_t> int_claim(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v->as_uint64());
  reject("malformed token: claim " + std::string(name) + " is not an integer");
}

const json::string* string_field(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v && v->is_string() ? &v->as_string() : nullptr;
}

}  // namespace

std::string sign_jwt(const SigningKey& key, const json::object& claims) {
  json::object header{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", key.kid}};
  std::string signing_input = base64url_encode(json::serialize(header)) + "." + base64url_encode(json::serialize(claims));
  std::string signature = rs256_sign(key.pkey.get(), signing_input);
  return signing_input + "." + base64url_encode(signature);
}

json::object verify_jwt(std::string_view token, const KeyStore& keys, const JwtRules& rules) {
  return verify_jwt(
      token,
      [&keys](std::string_view kid) -> std::shared_ptr<EVP_PKEY> {
        auto key = keys.find(kid);
        return key ? std::shared_ptr<EVP_PKEY>(key, key->pkey.get()) : nullptr;  // aliasing: keeps key alive
      },
      rules);
}

json::object verify_jwt(std::string_view token, const KeyLookup& keys, const JwtRules& rules) {
  if (token.empty()) reject("missing token");
  if (token.size() > kMaxTokenBytes) reject("token too large");

  // Structure: exactly three non-empty segments.
  std::vector<std::string_view> segments;
  for (size_t start = 0;;) {
    size_t dot = token.find('.', start);
    segments.push_back(token.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (segments.size() != 3) reject("malformed token: expected 3 segments");
  for (auto s : segments)
    if (s.empty()) reject("malformed token: empty segment");
  auto header_text = base64url_decode(segments[0]);
  auto payload_text = base64url_decode(segments[1]);
  auto signature = base64url_decode(segments[2]);
  if (!header_text || !payload_text || !signature) reject("malformed token: bad base64url");

  // Header.
  auto header = parse_object(*header_text);
  if (!header) reject("malformed token header");
  const json::string* alg = string_field(*header, "alg");
  if (!alg || *alg != "RS256") reject("unsupported token algorithm");
  if (const json::value* typ = header->if_contains("typ"); typ && !(typ->is_string() && typ->as_string() == "JWT"))
    reject("unsupported token type");
  if (header->contains("crit")) reject("unsupported critical token header");
  const json::string* kid = string_field(*header, "kid");
  if (!kid) reject("token has no key id");
  std::shared_ptr<EVP_PKEY> key = keys(std::string_view(kid->data(), kid->size()));
  if (!key) reject("unknown token signing key");

  // Signature, before looking into the payload.
  std::string_view signing_input = token.substr(0, segments[0].size() + 1 + segments[1].size());
  if (!rs256_verify(key.get(), signing_input, *signature)) reject("invalid token signature");

  // Claims.
  auto claims = parse_object(*payload_text);
  if (!claims) reject("malformed token payload");
  const int64_t now = unix_seconds(rules.clock->now());
  auto exp = int_claim(*claims, "exp");
  if (!exp) reject("token has no expiry");
  if (now >= *exp + rules.exp_leeway) reject("token has expired");
  if (auto nbf = int_claim(*claims, "nbf"); nbf && *nbf > now + kMaxFutureSkew) reject("token is not yet valid");
  if (auto iat = int_claim(*claims, "iat"); iat && *iat > now + kMaxFutureSkew) reject("token issued in the future");
  const json::string* iss = string_field(*claims, "iss");
  if (!iss || *iss != rules.issuer) reject("wrong token issuer");
  const json::string* use = string_field(*claims, "token_use");
  if (!use || (*use != "id" && *use != "access")) reject("wrong token_use");
  return std::move(*claims);
}

std::string string_claim(const json::object& claims, std::string_view name) { return string_member(claims, name); }

Principal principal_of(const json::object& claims) {
  Principal p;
  p.token_use = string_claim(claims, "token_use");
  p.sub = string_claim(claims, "sub");
  p.username = string_claim(claims, p.token_use == "id" ? "cognito:username" : "username");
  if (p.sub.empty() || p.username.empty()) reject("malformed token: no subject");
  p.name = string_claim(claims, "name");
  p.email = string_claim(claims, "email");
  p.expires_at = claims.at("exp").to_number<int64_t>();
  if (const json::value* iat = claims.if_contains("iat"); iat && iat->is_int64()) p.issued_at = iat->as_int64();
  return p;
}

}  // namespace k9::identity::local
