// `k9 export --to DIR`: every table of a store in the layout of DynamoDB's export to S3,
// DIR/<kind>/AWSDynamoDB/<export id>/... a table (table_export/table_export.h; <kind> as
// repo::Tables::by_kind() names it), so that AWS's import from S3 reads each table folder and
// `k9 import --from DIR` reads the whole.
//
// Contract: DIR must be new or empty (an export never mixes with another); a table the store
// lacks gets no folder. Each table is scanned page by page and written in constant memory,
// then read back whole (read_table_export: checksums, counts, every item parsed): its count
// and digest must be those of the items scanned, else Error(conflict) naming the table. An
// export is a scan, not a snapshot: items written meanwhile may or may not be in it (stop the
// writers; for the embedded store `k9 backup` is the consistent online copy).
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "migrate/item_digest.h"
#include "store/store.h"

namespace k9::migrate {

struct ExportOptions {
  std::vector<std::pair<std::string, std::string>> tables;  // {kind, physical name}
  int page_size = 0;                                        // items per scan page; 0: the store's
  uint64_t items_per_file = 100'000;
  std::function<void(uint64_t done)> on_progress;           // items written so far
  std::function<void(const std::string&)> on_message;
};

struct ExportedTable {
  std::string kind, table;
  std::filesystem::path folder;  // DIR/<kind>
  TableDigest digest;            // of the items written, verified on reading them back
};

std::vector<ExportedTable> export_tables(store::Store& from, const std::filesystem::path& dir,
                                         const ExportOptions& options);

}  // namespace k9::migrate
