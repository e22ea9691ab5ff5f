// Where a migration is, kept in a file so an interrupted `k9 migrate` goes on where it stopped:
// which migration (source and target as named on the command line), the tables copied whole,
// and in the table being copied the scan cursor after the last batch the target committed
// (store.h: the key of the last item handled, a durable cursor).
//
// The file is JSON ({"format":"k9-migrate-checkpoint","version":1,...}), replaced atomically
// (written beside it, synced, renamed, the folder synced): after a crash it is the previous
// state or the new one, never a mixture. A file that is not such a checkpoint is refused with
// an error naming it (Error bad_request), never guessed at or overwritten.
#pragma once
#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include "store/item.h"

namespace k9::migrate {

struct Checkpoint {
  std::string from, to;
  std::set<std::string> done;  // tables copied whole
  std::string table;           // the table being copied; empty: none begun
  store::Item cursor;          // in `table`: resume the scan after this key
  uint64_t copied = 0;         // items copied so far, every table

  // nullopt when `path` does not exist; throws Error(bad_request) naming `path` when it holds
  // anything but a checkpoint.
  static std::optional<Checkpoint> load(const std::filesystem::path& path);
  // Throws Error(unavailable) naming `path` when it cannot be written.
  void save(const std::filesystem::path& path) const;
};

}  // namespace k9::migrate
