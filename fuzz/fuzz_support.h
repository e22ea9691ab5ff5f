// Shared by the libFuzzer targets: an invariant that fails stops the run with a message
// (libFuzzer then saves the input as a crash-* file, which becomes a regression seed).
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace k9::fuzz {

[[noreturn]] inline void fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz invariant broken: %s %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline void check(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok) fail(what, detail);
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace k9::fuzz
