// `k9 tables create`: creates every missing table and index K9 uses (SPEC section 2 plus the
// local identities and refresh tokens) in the configured store, waits until they are
// active, changes nothing that exists, and prints what it did, one line per change and one
// per table. Returns the process exit code; store errors propagate.
#pragma once
#include <ostream>

#include "cli/runtime.h"

namespace k9::cli {

int create_tables(const Config& config, std::ostream& out);

}  // namespace k9::cli
