#include "identity/local/password_policy.h"

#include "core/error.h"

namespace k9::identity::local {

int password_classes(std::string_view password) {
  bool lower = false, upper = false, digit = false, symbol = false;
  for (unsigned char c : password) {
    if (c >= 'a' && c <= 'z') lower = true;
    else if (c >= 'A' && c <= 'Z') upper = true;
    else if (c >= '0' && c <= '9') digit = true;
    else symbol = true;
  }
  return int(lower) + int(upper) + int(digit) + int(symbol);
}

void check_password_policy(std::string_view password, const std::string& field) {
  if (password.empty()) throw bad_request(field + " is required");
  if (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength ||
      password_classes(password) < kMinPasswordClasses)
    throw bad_request(field + " must be " + std::to_string(kMinPasswordLength) + " to " +
                      std::to_string(kMaxPasswordLength) + " bytes long and contain at least " +
                      std::to_string(kMinPasswordClasses) +
                      " of: lower-case letters, upper-case letters, digits, symbols");
}

}  // namespace k9::identity::local
