// CredentialRepository: local-mode users and their password hashes in the store.
//
// Table (physical name given, e.g. "k9-identities-dev"), key `username` (S). Items:
//   {username, sub (uuid), password_hash (libsodium crypto_pwhash_str, argon2id),
//    temporary (BOOL), name?, email?, created_at, updated_at (ISO-8601 UTC ms),
//    challenge_hash? (hex SHA-256 of the open NEW_PASSWORD_REQUIRED session),
//    challenge_expires_at? (N, unix seconds)}
// Empty name/email are not stored.
//
// Contract:
//  - add() validates the username (bad_request "username ...") and the password against the
//    policy (password_policy.h, bad_request "password ..."), then creates the item with
//    attribute_not_exists(username); a taken username throws k9::Error(conflict).
//  - verify_password() answers the credential only for an existing user and the right
//    password; for an unknown (or invalid) username it still runs one hash verification
//    against a dummy hash, so timing does not tell which usernames exist.
//  - set_password() replaces the hash and clears `temporary`; not_found for an unknown user.
//  - open_challenge() stores the SHA-256 of a NEW_PASSWORD_REQUIRED session (never the session)
//    and its expiry on the user's item, replacing any earlier one.
//  - answer_challenge() sets a new password for the holder of that session, once:
//    unauthorized kInvalidSession for an unknown user, no open session or another session;
//    gone kExpiredSession once clock >= its expiry; then bad_request for a password against the
//    policy (the session stays open for another try); then, conditioned on the same
//    challenge_hash still being stored, replaces the hash, clears `temporary` and removes the
//    session. A session used once (or raced by another answer) is unauthorized.
//  - remove() deletes the user's item (password hash, open session: the sign-in identity) and
//    answers what it was; nullopt for an unknown user. Nothing else of the user is touched.
//  - Store unavailability surfaces as k9::Error(unavailable). Thread-safe if the store is.
#pragma once
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"
#include "identity/local/credential.h"
#include "identity/local/password_policy.h"
#include "store/store.h"

namespace k9::identity::local {

// Argon2id cost. interactive() for production; minimum() keeps tests fast.
struct PasswordHashing {
  unsigned long long opslimit;
  size_t memlimit;
  static PasswordHashing interactive();
  static PasswordHashing minimum();
};

inline constexpr const char* kInvalidSession = "Invalid session for the user.";
inline constexpr const char* kExpiredSession = "Invalid session for the user, session is expired.";

class CredentialRepository {
 public:
  CredentialRepository(store::Store& store, std::string table_name,
                       PasswordHashing hashing = PasswordHashing::interactive(), const Clock& clock = Clock::system());

  static store::TableSchema schema(std::string table_name);

  Credential add(const std::string& username, const std::string& password, bool temporary,
                 const std::string& name = "", const std::string& email = "");
  std::optional<Credential> find(const std::string& username);
  std::optional<Credential> verify_password(const std::string& username, const std::string& password);
  std::optional<Credential> remove(const std::string& username);
  Credential set_password(const std::string& username, const std::string& new_password);
  void open_challenge(const std::string& username, const std::string& session, int64_t expires_at_unix);
  Credential answer_challenge(const std::string& username, const std::string& session,
                              const std::string& new_password);

  const std::string& table() const { return table_; }

 private:
  std::string hash(const std::string& password) const;
  void burn_dummy_verification(const std::string& password);

  store::Store& store_;

 public:
  bool reads_are_local() const { return store_.reads_are_local(); }

 private:
  std::string table_;
  PasswordHashing hashing_;
  const Clock& clock_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

}  // namespace k9::identity::local
