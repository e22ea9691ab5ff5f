// CredentialRepository: local-mode users and their password hashes in the store.
//
// Table (physical name given, e.g. "k9-identities-dev"), key `username` (S). Items:
//   {username, sub (uuid), password_hash (libsodium crypto_pwhash_str, argon2id),
//    temporary (BOOL), name?, email?, created_at, updated_at (ISO-8601 UTC ms)}
// Empty name/email are not stored.
//
// Contract:
//  - add() validates the username (bad_request "username ...") and the password (8..256
//    bytes, bad_request "password ..."), then creates the item with
//    attribute_not_exists(username); a taken username throws k9::Error(conflict).
//  - verify_password() answers the credential only for an existing user and the right
//    password; for an unknown (or invalid) username it still runs one hash verification
//    against a dummy hash, so timing does not tell which usernames exist.
//  - set_password() replaces the hash and clears `temporary`; not_found for an unknown user.
//  - Store unavailability surfaces as k9::Error(unavailable). Thread-safe if the store is.
#pragma once
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"
#include "identity/local/credential.h"
#include "store/store.h"

namespace k9::identity::local {

// Argon2id cost. interactive() for production; minimum() keeps tests fast.
struct PasswordHashing {
  unsigned long long opslimit;
  size_t memlimit;
  static PasswordHashing interactive();
  static PasswordHashing minimum();
};

constexpr size_t kMinPasswordLength = 8;
constexpr size_t kMaxPasswordLength = 256;

class CredentialRepository {
 public:
  CredentialRepository(store::Store& store, std::string table_name,
                       PasswordHashing hashing = PasswordHashing::interactive(), const Clock& clock = Clock::system());

  static store::TableSchema schema(std::string table_name);

  Credential add(const std::string& username, const std::string& password, bool temporary,
                 const std::string& name = "", const std::string& email = "");
  std::optional<Credential> find(const std::string& username);
  std::optional<Credential> verify_password(const std::string& username, const std::string& password);
  Credential set_password(const std::string& username, const std::string& new_password);

  const std::string& table() const { return table_; }

 private:
  std::string hash(const std::string& password) const;
  void burn_dummy_verification(const std::string& password);

  store::Store& store_;
  std::string table_;
  PasswordHashing hashing_;
  const Clock& clock_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

}  // namespace k9::identity::local
