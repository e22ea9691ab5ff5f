// Local-mode username rules: 1..128 characters of [A-Za-z0-9._@+-]. Case-sensitive.
#pragma once
#include <string>
#include <string_view>

namespace k9::identity::local {

constexpr size_t kMaxUsernameLength = 128;

bool is_valid_username(std::string_view username);
// Throws k9::Error(bad_request) naming `field` unless is_valid_username(username).
void validate_username(std::string_view username, const std::string& field = "username");

}  // namespace k9::identity::local
