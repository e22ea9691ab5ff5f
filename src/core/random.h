// Randomness from libsodium (CSPRNG): ids and secrets.
#pragma once
#include <string>

namespace k9 {

std::string random_bytes(size_t n);
// RFC 4122 version 4 UUID, lower case.
std::string new_uuid();

}  // namespace k9
