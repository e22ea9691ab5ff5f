// The local-mode password policy (users add, /auth/reset): 8 to 256 bytes, and characters of
// at least 3 of the 4 classes lower-case letter (a-z), upper-case letter (A-Z), digit (0-9)
// and symbol (anything else: punctuation, space, non-ASCII). The 400 message states the
// whole rule, so a client can show it as it is.
#pragma once
#include <string>
#include <string_view>

namespace k9::identity::local {

inline constexpr size_t kMinPasswordLength = 8;
inline constexpr size_t kMaxPasswordLength = 256;
inline constexpr int kMinPasswordClasses = 3;

// The number of classes (0..4) `password` has characters of.
int password_classes(std::string_view password);

// Throws k9::Error(bad_request): "<field> is required" when empty, otherwise
// "<field> must be 8 to 256 bytes long and contain at least 3 of: lower-case letters,
// upper-case letters, digits, symbols" unless the password follows the policy.
void check_password_policy(std::string_view password, const std::string& field);

}  // namespace k9::identity::local
