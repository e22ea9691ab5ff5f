// Backups of an embedded data folder (SQLite store, file blobs, signing keys and secrets, the
// catalog snapshot), taken while `k9 serve` keeps serving, and their restore (issue 17).
//
// A backup is one ZIP file:
//   manifest.json   {"format":"k9-backup","version":1,"created_at":..., "files":[{"path","size","sha256"}]}
//   k9.db           the store as of one moment: SQLite's VACUUM INTO, run in one read
//                   transaction, so it holds every write acknowledged before the backup began
//                   (the group-commit writer acknowledges only after its commit)
//   everything else in the data folder (blobs/, keys/, cursor.key, files.key, snapshots/, ...),
//   and the blob folder when --blobs names one outside it, as blobs/
// and beside it PATH.sha256, the archive's SHA-256 in sha256sum's format (`sha256sum -c`).
//
// Contract:
//  - write_backup() writes PATH.partial, fsyncs it and renames it to PATH: PATH is whole or
//    absent. Files are copied into a staging folder first, so a blob deleted or a log appended
//    while the archive is written neither fails it nor breaks its manifest; blobs written after the
//    store's snapshot may be in it too (harmless: nothing refers to them).
//  - verify_backup() checks PATH.sha256 when present, that the archive's entries are exactly
//    the manifest's, and every entry's size and SHA-256. It throws k9::Error (bad_request)
//    naming the file and the entry.
//  - restore_backup() verifies first, refuses a data folder whose store any process has open
//    (k9 serve, another k9 command: store/sqlite/store_lock.h), and one that holds a store
//    unless `replace` is set. It extracts into a sibling folder, checks the restored store
//    (SQLite integrity_check), and only then moves the old folder aside to
//    DATA.before-restore-<UTC time> (returned) and the new one into place.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace k9::backup {

struct BackupSummary {
  size_t files = 0;       // entries besides the manifest
  uint64_t bytes = 0;     // their bytes, uncompressed
  std::string sha256;     // of the archive (verify/restore: only when PATH.sha256 is beside it)
};

// `data`: the data folder; `blobs_dir`: the file blob store's folder (inside `data` or not).
BackupSummary write_backup(const std::filesystem::path& data, const std::filesystem::path& blobs_dir,
                           const std::filesystem::path& out);

BackupSummary verify_backup(const std::filesystem::path& in);

struct RestoreSummary {
  BackupSummary backup;
  std::optional<std::filesystem::path> previous;  // where the replaced folder went
};

RestoreSummary restore_backup(const std::filesystem::path& in, const std::filesystem::path& data, bool replace);

}  // namespace k9::backup
