#include "identity/local/username.h"

#include <algorithm>

#include "core/error.h"

namespace k9::identity::local {

namespace {
bool allowed(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '@' || c == '+' || c == '-';
}
}  // namespace

bool is_valid_username(std::string_view username) {
  return !username.empty() && username.size() <= kMaxUsernameLength &&
         std::all_of(username.begin(), username.end(), allowed);
}

void validate_username(std::string_view username, const std::string& field) {
  if (username.empty()) throw bad_request(field + " is required");
  if (!is_valid_username(username))
    throw bad_request(field + " must be 1 to " + std::to_string(kMaxUsernameLength) +
                      " characters of A-Z a-z 0-9 . _ @ + -");
}

}  // namespace k9::identity::local
