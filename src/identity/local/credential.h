// Credential: a local-mode user as the identity layer sees it (never the password hash).
#pragma once
#include <string>

namespace k9::identity::local {

struct Credential {
  std::string username;
  std::string sub;          // uuid, the tokens' subject
  std::string name;
  std::string email;
  bool temporary = false;   // must choose a new password at next sign-in
  std::string created_at;   // ISO-8601 UTC with milliseconds
  std::string updated_at;
};

}  // namespace k9::identity::local
