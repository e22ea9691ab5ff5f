#include "testing/store/catalog_fixture.h"

namespace k9::testkit {

CatalogFixture::CatalogFixture(std::string_view label)
    : dir_(label),
      store_(open_sqlite(dir_.path(), tables_)),
      products_(std::make_unique<repo::ProductRepository>(*store_, tables_)),
      embeddings_(std::make_unique<repo::EmbeddingRepository>(*store_, tables_)) {}

}  // namespace k9::testkit
