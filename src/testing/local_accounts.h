// The test kit's signed-in users: local-mode accounts on a test's store, as `k9 serve` makes
// them. The identities table is ensured, signing keys live in `keys_folder`, passwords are
// hashed at the cheapest setting; the user and report repositories are the ones the route
// groups take (testing/api_app.h wires them into an App). add() makes a user and answers
// its id token.
#pragma once
#include <filesystem>
#include <string>

#include "identity/local/credential_repository.h"
#include "identity/local/key_store.h"
#include "identity/local/local_issuer.h"
#include "repo/report_repository.h"
#include "repo/tables.h"
#include "repo/user_repository.h"
#include "store/store.h"

namespace k9::testkit {

class LocalAccounts {
 public:
  // `tables` must outlive this (the report repository keeps it).
  LocalAccounts(store::Store& store, const repo::Tables& tables, const std::filesystem::path& keys_folder);

  struct SignedIn {
    std::string sub, id_token;
  };
  SignedIn add(const std::string& username, const std::string& password = "correct-horse-1",
               const std::string& name = "");

  identity::local::KeyStore keys;
  identity::local::LocalIssuer issuer;
  identity::local::CredentialRepository credentials;
  repo::UserRepository users;
  repo::ReportRepository reports;
};

}  // namespace k9::testkit
