#include "testing/local_accounts.h"

namespace k9::testkit {

namespace {

store::Store& with_identities_table(store::Store& store, const repo::Tables& tables) {
  store.ensure_table(identity::local::CredentialRepository::schema(tables.identities));
  return store;
}

}  // namespace

LocalAccounts::LocalAccounts(store::Store& store, const repo::Tables& tables, const std::filesystem::path& keys_folder)
    : keys(keys_folder),
      issuer(keys),
      credentials(with_identities_table(store, tables), tables.identities,
                  identity::local::PasswordHashing::minimum()),
      users(store, tables.users),
      reports(store, tables, repo::CursorCodec("test-secret-0123456789")) {}

LocalAccounts::SignedIn LocalAccounts::add(const std::string& username, const std::string& password,
                                           const std::string& name) {
  auto c = credentials.add(username, password, false, name);
  return {c.sub, issuer.issue(c).id_token};
}

}  // namespace k9::testkit
