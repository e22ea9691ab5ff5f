#include "core/random.h"

#include <chrono>

#include <sodium.h>

#include <cstdio>
#include <stdexcept>

namespace k9 {

namespace {
struct SodiumInit {
  SodiumInit() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  }
};
void ensure_sodium() { static SodiumInit init; }
}  // namespace

std::string random_bytes(size_t n) {
  ensure_sodium();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

namespace {
std::string format_uuid(const unsigned char* u) {
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
                u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
  return out;
}
}  // namespace

std::string new_uuid() {
  std::string b = random_bytes(16);
  auto u = reinterpret_cast<unsigned char*>(b.data());
  u[6] = (u[6] & 0x0f) | 0x40;
  u[8] = (u[8] & 0x3f) | 0x80;
  return format_uuid(u);
}

std::string new_time_ordered_uuid() {
  std::string b = random_bytes(16);
  auto u = reinterpret_cast<unsigned char*>(b.data());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
  for (int i = 0; i < 6; ++i) u[i] = static_cast<unsigned char>(uint64_t(ms) >> (40 - 8 * i));
  u[6] = (u[6] & 0x0f) | 0x70;
  u[8] = (u[8] & 0x3f) | 0x80;
  return format_uuid(u);
}

}  // namespace k9
