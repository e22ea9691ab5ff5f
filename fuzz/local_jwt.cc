// Tokens: strict RS256 verification of local-mode JWTs. Allowed outcome: claims, or
// k9::Error(unauthorized). A forged input never verifies (it is not signed by the key).
#include <filesystem>

#include "core/error.h"
#include "fuzz_support.h"
#include "identity/local/jwt.h"
#include "identity/local/key_store.h"

using namespace k9;
using namespace k9::identity::local;

namespace {

KeyStore& keys() {
  static KeyStore* store = [] {
    auto dir = std::filesystem::temp_directory_path() / ("k9-fuzz-jwt-" + std::to_string(::getpid()));
    auto* s = new KeyStore(dir);
    std::filesystem::remove_all(dir);  // loaded: the folder is no longer needed
    return s;
  }();
  return *store;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  JwtRules rules{"k9-local"};
  auto token = fuzz::as_text(data, size);
  try {
    verify_jwt(token, keys(), rules);
    fuzz::fail("a token not signed by the key verified:", token);
  } catch (const Error& e) {
    fuzz::check(e.code() == ErrorCode::unauthorized, "verify_jwt threw a non-401 error:", e.what());
  }
  // The same input with any kid resolving to the key: parsing past the kid lookup.
  KeyLookup any_kid = [](std::string_view) {
    auto key = keys().current();
    return std::shared_ptr<EVP_PKEY>(key, key->pkey.get());
  };
  try {
    verify_jwt(token, any_kid, rules);
    fuzz::fail("a token not signed by the key verified:", token);
  } catch (const Error& e) {
    fuzz::check(e.code() == ErrorCode::unauthorized, "verify_jwt threw a non-401 error:", e.what());
  }
  return 0;
}
