// Copying every table of one store into another (`k9 migrate --from URL --to URL`), through
// the store port only, so any pair of adapters works (SQLite <-> DynamoDB, SQLite -> SQLite).
//
// Contract of migrate():
//  - Both stores must answer first (Store::healthy); one that does not is an error naming it
//    (unavailable) and nothing is written.
//  - Tables: `tables` as the target must have them (K9's whole catalog). A table absent from
//    the source is created empty in the target. The source's own key schema is read with
//    describe_table and may differ: the Python generation's embeddings table keyed by
//    product_id alone is rewritten to SPEC's key (legacy_embeddings.h).
//  - Other data: unless `merge`, a target that holds an item which the source does not hold
//    identically (after the rewrite above) is refused before anything is written (conflict,
//    naming the table and the item's key). A target holding only what the source holds (a
//    second run, an interrupted one) is not "other data": a second run writes the same items
//    again and changes nothing.
//  - Streaming: each source table is scanned page by page (the store's page, at most 1 MB
//    as DynamoDB counts it; `page_size` overrides) and written in batches of at most 25 items
//    (Store::batch_write: DynamoDB's BatchWriteItem, its unprocessed items resent with
//    backoff, throttling retried by the client), `writers` batches at a time (batch_writer.h).
//    Memory stays bounded by one page and the batches in flight, whatever the table's size.
//    Writes are unconditional puts of whole items: idempotent.
//  - Checkpoint (`checkpoint` non-empty): after batches the target committed (together with
//    every batch before them; at most `checkpoint_interval` apart), the file names the table
//    and the scan cursor (checkpoint.h); a run that finds a checkpoint of the
//    same source and target resumes after it (and skips the other-data check, which the run
//    that wrote it passed); one of another migration, or a damaged file, is refused. The file
//    is removed once the migration is verified.
//  - Verification, at the end: per table, the source's items (rewritten as written; read
//    before the copy) and the target's are counted and digested (item_digest.h) in a scan of
//    each (4 parallel segments on a store whose reads are not local). Without `merge`
//    they must be equal; with `merge` every source item must be in the target, equal (read
//    back by key). A difference is an error (conflict) naming the table and both counts and
//    digests. The source must not change during a migration (stop its writers): a change
//    shows up here as a difference.
//  - Errors are k9::Error; a store's failure is prefixed with which side it came from
//    ("source sqlite:/x/k9.db: ...", "target dynamodb ...: ...").
#pragma once
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "migrate/item_digest.h"
#include "migrate/legacy_embeddings.h"
#include "store/store.h"

namespace k9::migrate {

struct MigrationOptions {
  std::vector<store::TableSchema> tables;  // every table, as the target must have it
  std::string from_label, to_label;        // the stores as the user named them (messages, checkpoint)
  bool merge = false;
  std::filesystem::path checkpoint;        // empty: none
  // The checkpoint is written after a commit once this long has passed since its last write
  // (and at each table's end): each write costs two fsyncs, which per batch tripled the time of
  // a migration between SQLite files. A crash then redoes at most this much (idempotent) work.
  // 0: after every commit.
  std::chrono::milliseconds checkpoint_interval{100};
  std::string embeddings_table;            // where legacy embeddings are rewritten; empty: nowhere
  std::string legacy_embeddings_model = kLegacyEmbeddingsModel;
  int page_size = 0;                       // items per scan page; 0: the store's page
  int writers = 8;                         // batches written at once
  // Progress of the copy: items copied (this run and before it, per the checkpoint) of the
  // source's total.
  std::function<void(uint64_t done, uint64_t total)> on_progress;
  std::function<void(const std::string&)> on_message;  // one line per step worth telling
  // Called each time more batches are committed in order (tests interrupt a run here).
  std::function<void()> after_batch;
};

struct TableResult {
  std::string table;
  bool in_source = false;
  TableDigest source, target;  // as verified at the end
};

struct MigrationResult {
  std::vector<TableResult> tables;
  uint64_t copied = 0;   // items written by this run
  bool resumed = false;  // went on from a checkpoint
};

MigrationResult migrate(store::Store& from, store::Store& to, const MigrationOptions& options);

// The digests of one table on both sides, as migrate() verifies them (the source's items
// rewritten as migrate() writes them). A table absent from a side has an empty digest there.
TableResult compare_table(store::Store& from, store::Store& to, const std::string& table,
                          const MigrationOptions& options);

}  // namespace k9::migrate
