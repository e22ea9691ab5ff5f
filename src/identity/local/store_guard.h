// Internal to identity/local: how its repositories (credential_repository.cc,
// refresh_token_repository.cc) call the store: store unavailability becomes
// k9::Error(unavailable) "identity store unavailable: ...", retry after 1 s.
#pragma once
#include <string>

#include "core/error.h"
#include "store/store.h"

namespace k9::identity::local {

template <typename F>
auto guarded(F&& f) {
  try {
    return f();
  } catch (const store::Unavailable& e) {
    throw Error(ErrorCode::unavailable, std::string("identity store unavailable: ") + e.what(), 1);
  }
}

}  // namespace k9::identity::local
