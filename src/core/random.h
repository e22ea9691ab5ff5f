// Randomness from libsodium (CSPRNG): ids and secrets.
#pragma once
#include <string>

namespace k9 {

std::string random_bytes(size_t n);
// RFC 4122 version 4 UUID, lower case.
std::string new_uuid();
// RFC 9562 version 7 UUID, lower case: 48 bits of Unix time in ms, then 74 random bits. Ids
// made one after another sort (and land in the store's B-trees) in time order, so inserts
// append to the same few pages instead of dirtying a random page each: a fraction of the WAL.
std::string new_time_ordered_uuid();

}  // namespace k9
