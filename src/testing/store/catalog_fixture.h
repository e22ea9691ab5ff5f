// CatalogFixture: a test fixture over a catalog on disk: a SQLite store in a temporary folder with
// K9's tables (sqlite_on_disk.h), and the product and embedding repositories on it, made anew
// for each test. Fixtures of the catalog, snapshot and analysis tests derive from it.
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <string_view>

#include "repo/embedding_repository.h"
#include "repo/product_repository.h"
#include "testing/base/temp_dir.h"
#include "testing/store/sqlite_on_disk.h"

namespace k9::testkit {

class CatalogFixture : public ::testing::Test {
 protected:
  explicit CatalogFixture(std::string_view label = "catalog");

  TempDir dir_;  // first: it ends last, after the store closed
  repo::Tables tables_ = default_tables();
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  std::unique_ptr<repo::ProductRepository> products_;
  std::unique_ptr<repo::EmbeddingRepository> embeddings_;
};

}  // namespace k9::testkit
