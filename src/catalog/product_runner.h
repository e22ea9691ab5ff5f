// Internal to src/catalog: one step per catalog product on several threads, as the importer
// (importer.h) and the reindex (reindex.h) run them.
#pragma once
#include <functional>
#include <string>

#include "catalog/importer.h"

namespace k9::catalog {

enum class Outcome { added, updated, unchanged, failed };
// (subject, message): a product's problem; calls are serialised.
using Problem = std::function<void(const std::string&, const std::string&)>;
// One product: (index, problem, images analysed, images that failed) -> its outcome.
using ProductStep = std::function<Outcome(size_t, const Problem&, size_t&, size_t&)>;

// Runs `step` for every index below `count` on `workers` threads (the caller's among them),
// tallies outcomes and image counts into `summary`, reports problems to `listener` and
// progress after each product. The first exception a step throws stops the run (what was
// committed stays) and is rethrown once every thread has stopped.
void run_products(size_t count, int workers, ImportListener& listener, ImportSummary& summary, const ProductStep& step);

}  // namespace k9::catalog
