// `k9 export --to DIR` and `k9 import --from DIR`: the configured store's tables out to
// DynamoDB's export layout, and into the configured store from such an export (K9's, or one
// table of AWS's), or from the DuckDB generation's JSON lines (migrate/export_tables.h,
// migrate/staging.h). An import stages what it reads in a SQLite file of its own (a
// temporary folder, removed afterwards), then k9 migrate's copy carries it into the store:
// the same other-data refusal (--merge), checkpoint and verification by counts and digests.
#pragma once
#include <cstdint>
#include <ostream>
#include <string>

#include "cli/runtime.h"

namespace k9::cli {

struct ExportCommandOptions {
  std::string to;
  uint64_t items_per_file = 100'000;
};

struct ImportCommandOptions {
  std::string from;
  std::string table;            // one table's export: the kind it goes to
  bool merge = false;
  std::string checkpoint;       // empty: none
  std::string legacy_embeddings_model;  // empty: migrate::kLegacyEmbeddingsModel
  std::string staging;          // folder for the staging SQLite file; empty: the system's temp folder
};

int export_command(const Config& config, const ExportCommandOptions& options, std::ostream& out);
int import_command(const Config& config, const ImportCommandOptions& options, std::ostream& out);

}  // namespace k9::cli
