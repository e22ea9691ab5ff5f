// CRC-32 (IEEE 802.3, the one zlib and DynamoDB's x-amz-crc32 header use). No I/O.
#pragma once
#include <cstdint>
#include <string_view>

namespace k9::aws {

uint32_t crc32(std::string_view data);

}  // namespace k9::aws
