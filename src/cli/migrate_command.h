// `k9 migrate --from URL --to URL [--merge] [--checkpoint FILE] [--legacy-embeddings-model V]`:
// every table K9 has copied from one store to another (migrate/migration.h), the URLs being
// what --store takes (sqlite:PATH, dynamodb with the environment's endpoint, region and table
// names). Progress as a bar on a terminal, plain lines otherwise; a summary per table on `out`.
#pragma once
#include <ostream>
#include <string>

#include "cli/runtime.h"

namespace k9::cli {

struct MigrateCommandOptions {
  std::string from, to;
  bool merge = false;
  std::string checkpoint;      // empty: none
  std::string legacy_embeddings_model;  // empty: migrate::kLegacyEmbeddingsModel
};

// The store a URL names, as messages and the checkpoint say it: "sqlite:/abs/k9.db" or
// "dynamodb https://endpoint"; throws naming `flag` for a URL --store does not take.
std::string store_label(const std::string& flag, const std::string& url);

int migrate_command(const Config& config, const MigrateCommandOptions& options, std::ostream& out);

}  // namespace k9::cli
