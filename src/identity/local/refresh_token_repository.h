// RefreshTokenRepository: local-mode refresh tokens, stored hashed in their own table.
//
// Table (physical name given, e.g. "k9-refresh-tokens-dev"), key `token_hash` (S, hex SHA-256
// of the token; tokens are 256 random bits, so a fast hash is enough). Index
// kRefreshTokensByUser (`username` + `created_at`) lists a user's tokens for revoke_user().
// Items: {token_hash, username, sub, created_at, updated_at, expires_at (N, unix seconds),
//         revoked (BOOL), used_at? (ISO-8601 UTC ms)}. The raw token is never stored.
//
// Contract:
//  - issue() answers a fresh token: base64url of 32 random bytes (43 characters), valid for
//    `lifetime` (default 30 days).
//  - redeem() answers the grant of a live token of `username`, and otherwise throws
//    k9::Error(unauthorized) with kInvalidRefreshToken for a malformed or unknown token or one
//    of another user, "Refresh token has been revoked", "Refresh token has expired" (clock >=
//    expires_at), or "Refresh token has already been used".
//    With consume (rotation) the token is marked used in one conditional write, so of two
//    concurrent redeems exactly one wins; presenting a used token again revokes every refresh
//    token of that user (reuse detection: a used token in a second hand was copied).
//    Without consume a token serves until it expires or is revoked (Cognito's default).
//  - revoke() revokes one token (false when unknown); revoke_user() every token of a user
//    (answers how many it revoked). Revoked tokens stay stored until they expire.
//  - Store unavailability surfaces as k9::Error(unavailable). Thread-safe if the store is.
//  - Expired items are not purged here (DynamoDB TTL on expires_at does it in AWS mode).
#pragma once
#include <chrono>
#include <string>

#include "core/clock.h"
#include "store/store.h"

namespace k9::identity::local {

inline constexpr const char* kRefreshTokensByUser = "UserRefreshTokensIndex";
inline constexpr const char* kInvalidRefreshToken = "Invalid refresh token.";

struct RefreshGrant {
  std::string username;
  std::string sub;
};

class RefreshTokenRepository {
 public:
  static constexpr std::chrono::seconds kDefaultLifetime = std::chrono::hours(24 * 30);

  RefreshTokenRepository(store::Store& store, std::string table_name,
                         std::chrono::seconds lifetime = kDefaultLifetime, const Clock& clock = Clock::system());

  static store::TableSchema schema(std::string table_name);

  std::string issue(const std::string& username, const std::string& sub);
  RefreshGrant redeem(const std::string& username, const std::string& token, bool consume);
  bool revoke(const std::string& token);
  size_t revoke_user(const std::string& username);

  std::chrono::seconds lifetime() const { return lifetime_; }
  const std::string& table() const { return table_; }

 private:
  store::Store& store_;
  std::string table_;
  std::chrono::seconds lifetime_;
  const Clock& clock_;
};

}  // namespace k9::identity::local
