// The embedded runtime: everything `k9 serve` and the local commands need, wired from a
// configuration (flags over environment, SPEC section 5). One place builds the object graph.
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include "api/app.h"
#include "identity/local/credential_repository.h"
#include "identity/local/key_store.h"
#include "identity/local/local_authenticator.h"
#include "identity/local/local_issuer.h"
#include "repo/report_repository.h"
#include "repo/tables.h"
#include "repo/user_repository.h"
#include "store/store.h"

namespace k9::cli {

struct Config {
  std::filesystem::path data = "./k9-data";
  std::string store;  // "sqlite:PATH"; empty: sqlite:<data>/k9.db
  std::string host = "127.0.0.1";
  int port = 3001;
  std::string base_path;
  std::string cors_origin = "*";
  size_t max_body_bytes = 1024 * 1024;

  // Reads K9_DATA, K9_STORE, K9_HOST, K9_PORT, K9_BASE_PATH, K9_CORS_ORIGIN.
  static Config from_env();
};

class Runtime {
 public:
  explicit Runtime(const Config& config);
  ~Runtime();

  store::Store& store() { return *store_; }
  identity::local::CredentialRepository& credentials() { return *credentials_; }
  identity::local::LocalIssuer& issuer() { return *issuer_; }
  api::App& app() { return *app_; }

 private:
  std::unique_ptr<store::Store> store_;
  repo::Tables tables_;
  std::unique_ptr<identity::local::KeyStore> keys_;
  std::unique_ptr<identity::local::LocalIssuer> issuer_;
  std::unique_ptr<identity::local::CredentialRepository> credentials_;
  std::unique_ptr<identity::local::LocalAuthenticator> authenticator_;
  std::unique_ptr<repo::UserRepository> users_;
  std::unique_ptr<repo::ReportRepository> reports_;
  std::unique_ptr<api::App> app_;
};

// A secret kept in <data>/<name> (created with 32 random bytes, mode 0600, when absent).
std::string load_or_create_secret(const std::filesystem::path& data, const std::string& name);

}  // namespace k9::cli
