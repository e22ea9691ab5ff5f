// `k9 catalog import DIR`: stores a catalog folder's products (products.jsonl, or the export
// CSV layout: catalog_folder.h, catalog_csv.h) and their embeddings for the active model version.
//  - Idempotent: each product's content hash (SHA-256 of its JSON line and of every image and
//    mask file it names) is kept on the product and on its embedding; a product whose hash
//    and embedding are unchanged is skipped, so a re-import changes only what changed.
//  - Resumable: products are committed one by one, so an interrupted import, run again,
//    skips what was done and goes on.
//  - Forgiving: a bad line (a CSV product with a bad row), a missing file or an image the
//    extractor refuses is reported with the product id, else the line or row
//    (ImportListener::problem), and the import goes on; a product keeps
//    the vectors of its good images, and one with none gets no embedding.
//  - Images and masks are copied into the blob store (options.images) as
//    catalog/<product>/<sha-256 prefix>.<ext> and the product names those keys, so that
//    browsers get signed links to them (uploads/image_files.h); <product> is the id when it
//    is a safe key segment, else "h-" + its SHA-256. A changed image gets a new key; the old
//    file stays (a later sweep may collect it). Without a blob store, urls stay as written.
// Products are analysed by `workers` threads (the extractor is thread-safe).
#pragma once
#include <filesystem>
#include <string>

#include "blobs/blob_store.h"
#include "repo/embedding_repository.h"
#include "repo/product_repository.h"
#include "vision/extractor.h"

namespace k9::catalog {

struct ImportSummary {
  size_t total = 0, added = 0, updated = 0, unchanged = 0, failed = 0;
  size_t images = 0, image_errors = 0;
  size_t skipped = 0;  // CSV rows of type REFERENCE (not catalog products)
};

class ImportListener {
 public:
  virtual ~ImportListener() = default;
  // After each product; calls are serialised.
  virtual void progress(size_t done, size_t total) {}
  // `subject` is a product id, or "line N" ("row N" in a CSV) when there is none.
  virtual void problem(const std::string& subject, const std::string& message) {}
};

struct ImportOptions {
  int workers = 2;
  blobs::BlobStore* images = nullptr;  // where catalog images go; nullptr: urls kept as written
};

ImportSummary import_catalog(const std::filesystem::path& dir, repo::ProductRepository& products,
                             repo::EmbeddingRepository& embeddings, const vision::Extractor& extractor,
                             ImportListener& listener, ImportOptions options = {});

// SHA-256 of a product line and its files, hex.
std::string content_hash(const std::string& line, const std::vector<std::string>& files);

// The domain's selection (exact decimals) as the extractor reads it.
vision::Selection to_vision_selection(const Selection& s);

}  // namespace k9::catalog
