// Users (table `users`, key user_id). A user is created from the token's claims on first
// sight; timestamps are set here, never by clients.
#pragma once
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/domain.h"
#include "store/store.h"

namespace k9::repo {

struct ProfilePatch {
  std::optional<std::string> name, email;
  std::optional<Preferences> preferences;  // merged field by field into the stored ones
  std::optional<std::string> avatar_url;   // a blob key (PUT /user/avatar), not from PATCH bodies
};

class UserRepository {
 public:
  UserRepository(store::Store& store, std::string table, const Clock& clock = Clock::system())
      : store_(store), table_(std::move(table)), clock_(clock) {}

  std::optional<User> find(const std::string& user_id);
  // Returns the user, creating it (attribute_not_exists) with these claims when absent.
  User get_or_create(const std::string& user_id, const std::string& name, const std::string& email);
  // Applies the patch to an existing user (created first when absent).
  User update_profile(const std::string& user_id, const ProfilePatch& patch);

 private:
  store::Store& store_;
  std::string table_;
  const Clock& clock_;
};

}  // namespace k9::repo
