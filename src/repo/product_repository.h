// Catalog products (table `products`, key id). Catalog products have no owner; the same
// table holds reports' reference products, which carry a user_id and are never touched here:
// writing over one is a conflict. Each catalog item keeps `content_hash`, the hash of what it
// was imported from, so that a re-import changes only what changed.
#pragma once
#include <map>
#include <optional>
#include <vector>
#include <string>

#include "core/clock.h"
#include "core/domain.h"
#include "repo/tables.h"
#include "store/store.h"

namespace k9::repo {

struct CatalogProduct {
  Product product;
  std::string content_hash;
  std::string created_at, updated_at;
};

class ProductRepository {
 public:
  ProductRepository(store::Store& store, const Tables& tables, const Clock& clock = Clock::system())
      : store_(store), tables_(tables), clock_(clock) {}

  // nullopt when absent or when the id belongs to a report's reference product.
  std::optional<CatalogProduct> get(const std::string& id);
  // The catalog products among `ids` (any number; absent ids and reference products are left
  // out), by id.
  std::map<std::string, CatalogProduct> get_many(const std::vector<std::string>& ids);
  // True when `id` is a report's reference product of a user other than `user_id`.
  bool owned_by_other(const std::string& id, const std::string& user_id);
  // Creates or replaces a catalog product (created_at kept, updated_at set). Throws
  // k9::Error conflict when the id is a report's reference product.
  void put(const Product& product, const std::string& content_hash);

 private:
  store::Store& store_;
  Tables tables_;
  const Clock& clock_;
};

}  // namespace k9::repo
