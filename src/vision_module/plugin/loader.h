// Loading libk9_vision.so (vision_module/vision_module.h) into the k9 executable: once per
// process, on first use, with RTLD_NOW | RTLD_LOCAL, from the executable's folder, else from
// ../lib beside it (an installed layout). The executable is /proc/self/exe; run through an
// explicit dynamic loader (the Lambda package's bootstrap: lib/ld-linux... bin/k9) that is the
// loader, whose folder lib/ is where the package keeps the library too.
#pragma once
#include <filesystem>
#include <vector>

#include "vision_module/vision_module.h"

namespace k9::vision_module {

// The loaded table; thread-safe. Throws k9::Error(internal) naming where it looked and
// dlerror() when the library is missing or is not one of this build; a later call tries again.
const Table& loaded_module();

// Loads the library `file` (a new handle each call; never unloaded) and checks its table.
// Throws as loaded_module does. For loaded_module and its test.
const Table& load_module_file(const std::filesystem::path& file);

// Where loaded_module looks, in order, for an executable at `exe`.
std::vector<std::filesystem::path> module_candidates(const std::filesystem::path& exe);

}  // namespace k9::vision_module
