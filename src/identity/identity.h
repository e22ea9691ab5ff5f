// Identity port: how the rest of K9 learns who is calling and how users sign in. Local mode
// (identity/local) issues and verifies its own RS256 tokens; AWS mode uses a Cognito user
// pool (identity/cognito).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace k9::identity {

// Who a verified token speaks for. For access tokens name and email are empty (Cognito's
// access tokens do not carry them either).
struct Principal {
  std::string sub;        // stable user id (uuid)
  std::string username;   // sign-in name
  std::string name;
  std::string email;
  std::string token_use;  // "id" or "access"
  int64_t expires_at = 0; // the token's exp, unix seconds
  int64_t issued_at = 0;  // the token's iat, unix seconds (0: none)
};

// Contract: verify() accepts exactly the tokens this deployment issued or trusts, and nothing
// else; it throws k9::Error(ErrorCode::unauthorized, message) for a missing, malformed,
// expired, not-yet-valid, wrongly signed, wrong-issuer or wrong-token_use token. It takes the
// raw token (the caller strips "Bearer "). Thread-safe; cheap on the hot path (verified tokens
// are cached until their exp, bounded size).
// Local mode also refuses the tokens of a user deleted since (`k9 users delete`), within 5 s
// (identity/local/account_gate.h).
class TokenVerifier {
 public:
  virtual ~TokenVerifier() = default;
  virtual Principal verify(std::string_view bearer_token) = 0;
  // True when verify() may wait on something slow (fetching keys, reading a remote store);
  // false when it always answers from memory or local reads. The safe answer is true.
  virtual bool may_block() const { return true; }
};

struct TokenSet {
  std::string access_token, id_token, refresh_token;
  int expires_in = 0;  // seconds until the access and id tokens expire
};

// Sign-in flows (local or Cognito): login answers tokens or a challenge
// ("NEW_PASSWORD_REQUIRED") with an opaque session to answer it with.
struct LoginResult {
  std::optional<TokenSet> tokens;
  std::string challenge;
  std::string session;
};

// Contract (every method): bad_request naming the field for a missing or malformed field;
// too_many_requests (with retry_after) when throttled; unavailable (with retry_after) when the
// identity backend cannot answer.
//  - login() throws unauthorized "Incorrect username or password." for an unknown user or a
//    wrong password alike (same message, similar timing).
//  - refresh() answers new access and id tokens for a live refresh token of `username`
//    (refresh_token set only when the deployment rotates refresh tokens); unauthorized for an
//    unknown, revoked, used (when rotating) or expired one.
//  - respond_new_password() answers the NEW_PASSWORD_REQUIRED challenge of login(): sets the
//    password for the holder of `session`; unauthorized for a wrong session, gone once the
//    session expired, bad_request stating the password policy for a password it refuses.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual LoginResult login(const std::string& username, const std::string& password,
                            const std::string& client_address) = 0;
  virtual TokenSet refresh(const std::string& username, const std::string& refresh_token,
                           const std::string& client_address) = 0;
  virtual void respond_new_password(const std::string& username, const std::string& new_password,
                                    const std::string& session, const std::string& client_address) = 0;
};

}  // namespace k9::identity
