// `k9 backup PATH` and `k9 restore PATH [--replace]`: the embedded store's data folder (the
// store, file blobs, keys and secrets) to one verified archive and back (backup/backup.h).
// AWS mode has its own tools (docs/OPERATIONS.md: point-in-time recovery, S3 versioning).
#pragma once
#include <ostream>
#include <string>

#include "cli/runtime.h"

namespace k9::cli {

int backup_command(const Config& config, const std::string& path, std::ostream& out);
int restore_command(const Config& config, const std::string& path, bool replace, std::ostream& out);

}  // namespace k9::cli
