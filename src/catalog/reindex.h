// `k9 catalog reindex --model VERSION`: the catalog's embeddings of another model version,
// computed from the images the catalog products hold in the blob store, written beside the
// embeddings of the other versions (the embeddings table's key is product_id + model_version,
// SPEC section 2). The caller then builds that version's snapshot (snapshot/builder.h).
//  - Which products: every catalog product (not a report's reference) that has an embedding
//    of any known model version other than `extractor`'s (vision/extractors.h).
//  - Idempotent: a product whose embedding of the version was computed from its current
//    content (the embedding's source_hash equals the product's content_hash, as the importer
//    writes them) is skipped; a product changed since (a later import) is computed again.
//  - Forgiving as the importer is: an image missing from the blob store or refused by the
//    extractor is reported with the product id (ImportListener::problem) and the product keeps
//    the vectors of its good images; one with none gets no embedding of the version. Store and
//    blob-store faults stop the run (what was written stays; a new run goes on from there).
// Products are analysed by `workers` threads (the extractor is thread-safe).
#pragma once
#include "blobs/blob_store.h"
#include "catalog/importer.h"
#include "repo/embedding_repository.h"
#include "repo/product_repository.h"
#include "vision/extractor.h"

namespace k9::catalog {

// `added`: products given an embedding of the version for the first time; `updated`: ones
// recomputed after their content changed.
ImportSummary reindex_catalog(repo::ProductRepository& products, repo::EmbeddingRepository& embeddings,
                              blobs::BlobStore& images, const vision::Extractor& extractor, ImportListener& listener,
                              int workers = 2);

}  // namespace k9::catalog
