// Byte encodings (libsodium underneath): base64 (standard and url-safe), hex.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace k9 {

std::string base64_encode(std::string_view bytes);       // standard, padded
std::string base64url_encode(std::string_view bytes);    // url-safe, no padding
// nullopt on any character outside the alphabet, or bad padding.
std::optional<std::string> base64_decode(std::string_view text);
std::optional<std::string> base64url_decode(std::string_view text);  // no padding allowed
std::string hex_encode(std::string_view bytes);  // lower case

}  // namespace k9
