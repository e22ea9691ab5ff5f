#include "cli/backup_command.h"

#include "backup/backup.h"
#include "core/error.h"

namespace k9::cli {

namespace fs = std::filesystem;

namespace {

// The embedded configuration's store and blob folder; anything else is refused.
fs::path blobs_folder(const Config& config) {
  if (!config.store.empty() && config.store != "sqlite:" + (config.data / "k9.db").string())
    throw Error(ErrorCode::bad_request,
                "k9 backup and restore work on the embedded store in the data folder (<data>/k9.db), not " +
                    config.store + "; for DynamoDB see docs/OPERATIONS.md");
  if (config.blobs.empty()) return config.data / "blobs";
  if (config.blobs.rfind("file:", 0) == 0) return config.blobs.substr(5);
  throw Error(ErrorCode::bad_request, "k9 backup and restore keep file blobs, not " + config.blobs +
                                          "; for S3 see docs/OPERATIONS.md");
}

std::string mib(uint64_t bytes) { return std::to_string((bytes + (1 << 19)) >> 20) + " MiB"; }

}  // namespace

int backup_command(const Config& config, const std::string& path, std::ostream& out) {
  auto s = backup::write_backup(config.data, blobs_folder(config), path);
  out << "backup " << path << ": " << s.files << " files, " << mib(s.bytes) << ", sha256 " << s.sha256 << " (also in "
      << path << ".sha256)\n";
  return 0;
}

int restore_command(const Config& config, const std::string& path, bool replace, std::ostream& out) {
  fs::path blobs = blobs_folder(config);
  auto rel = fs::weakly_canonical(blobs).lexically_relative(fs::weakly_canonical(config.data));
  if (rel.empty() || *rel.begin() == "..")
    throw Error(ErrorCode::bad_request, "k9 restore puts the files in <data>/blobs; run it without --blobs " +
                                            config.blobs + " and point K9_BLOBS there afterwards");
  auto s = backup::restore_backup(path, config.data, replace);
  out << "restored " << path << " into " << config.data.string() << ": " << s.backup.files << " files, "
      << mib(s.backup.bytes) << ", checksums verified\n";
  if (s.previous) out << "the folder it replaced is kept at " << s.previous->string() << "\n";
  return 0;
}

}  // namespace k9::cli
