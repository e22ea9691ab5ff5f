// `k9 catalog import DIR`, `k9 catalog reindex` and `k9 catalog demo`: the catalog's command
// line (SPEC section 5). import stores the folder's products and their embeddings of
// config.model_version (catalog/importer.h); reindex computes that version's embeddings of
// the catalog already imported, from the images in the blob store, beside the other versions'
// (catalog/reindex.h), and brings its snapshot up to date as import does;
// demo writes the procedural catalog (catalog/demo/demo_catalog.h) to a folder and imports
// it. Both print progress (cli/progress.h), report each problem with its product id and
// print a summary; import then brings the packed catalog snapshot of the model version
// (<data>/snapshots/<version>.k9snap, catalog/snapshot/builder.h) up to date. Exit code 0
// when every product was imported, 2 when some were not.
#pragma once
#include <filesystem>
#include <ostream>

#include "cli/runtime.h"

namespace k9::cli {

int import_catalog_command(const Config& config, const std::filesystem::path& dir, int workers, std::ostream& out);
int reindex_catalog_command(const Config& config, int workers, std::ostream& out);

struct DemoCommandOptions {
  size_t count = 120;
  uint64_t seed = 1;
  int photos = 3;
  std::filesystem::path out;  // empty: <data>/demo-catalog
  bool import = true;
  int workers = 2;
};
int demo_catalog_command(const Config& config, const DemoCommandOptions& options, std::ostream& out);

}  // namespace k9::cli
