// KeyStore: K9's own RS256 signing keys (RSA 2048) for local mode, kept in <data>/keys/.
//
// Contract:
//  - Each key is one PKCS#8 PEM file `key-<sequence>.pem`, mode 0600, written atomically
//    (temp file + fsync + rename + fsync of the folder). The folder is created 0700. A key
//    file readable by group or others, or one that is not RSA >= 2048 bits, stops start-up.
//  - The first start creates a key. The key with the highest sequence is current (signs);
//    the newest `keep` keys (default 3) all verify. rotate() adds a new current key and
//    deletes the files of keys past `keep`, so tokens signed by them stop verifying.
//  - kid = first 16 characters of base64url(SHA-256(SubjectPublicKeyInfo DER)).
//  - jwks() is the JWKS JSON text of the verifying keys, current first.
//  - One process serves from the folder; another (`k9 keys rotate`) may rotate it, and
//    sync_with_folder() makes the serving process see that: when the newest `keep` key files
//    differ from the loaded ones it reloads them (the new current key signs from then on; old
//    keys keep verifying while their files are kept). It looks at most once per
//    `min_interval` and answers whether the keys changed.
//  - All methods are thread-safe.
#pragma once
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "identity/local/openssl_util.h"

namespace k9::identity::local {

struct SigningKey {
  std::string kid;
  uint64_t sequence = 0;
  PkeyPtr pkey;  // private key (also verifies)
};

class KeyStore {
 public:
  static constexpr size_t kDefaultKeep = 3;

  // Loads <data_dir>/keys/, creating it and a first key when there is none. Throws
  // k9::Error(internal) on unreadable or unsafe key files.
  explicit KeyStore(const std::filesystem::path& data_dir, size_t keep = kDefaultKeep);

  std::shared_ptr<const SigningKey> current() const;
  // nullptr for an unknown kid.
  std::shared_ptr<const SigningKey> find(std::string_view kid) const;
  std::vector<std::string> kids() const;  // current first
  void rotate();
  bool sync_with_folder(std::chrono::milliseconds min_interval = std::chrono::seconds(5));
  std::string jwks() const;
  const std::filesystem::path& folder() const { return folder_; }

  // Helpers, public for tests and tools.
  static std::string kid_of(EVP_PKEY* key);
  static PkeyPtr generate_rsa_key();  // RSA 2048, e = 65537

 private:
  // The newest `keep_` key files of the folder: (sequence, path), newest first.
  std::vector<std::pair<uint64_t, std::filesystem::path>> key_files() const;
  void load(const std::vector<std::pair<uint64_t, std::filesystem::path>>& files);  // lock held exclusively
  void add_new_key();  // lock held exclusively
  void prune();        // lock held exclusively
  void rebuild_jwks(); // lock held exclusively

  std::filesystem::path folder_;
  size_t keep_;
  mutable std::shared_mutex mutex_;
  std::vector<std::shared_ptr<const SigningKey>> keys_;  // newest first
  std::string jwks_;
  std::atomic<int64_t> last_sync_ms_{0};  // steady clock
};

}  // namespace k9::identity::local
