#include "repo/product_repository.h"

#include <set>

#include "core/error.h"
#include "repo/item_codec.h"

namespace k9::repo {

namespace {
std::string text_attr(const store::Item& item, const char* name) {
  auto it = item.find(name);
  return it != item.end() && it->second.type() == store::AttrType::S ? it->second.s() : "";
}

CatalogProduct catalog_product_from(const store::Item& item) {
  CatalogProduct out;
  from_item(item, out.product);
  out.content_hash = text_attr(item, "content_hash");
  out.created_at = text_attr(item, "created_at");
  out.updated_at = text_attr(item, "updated_at");
  return out;
}
}  // namespace

std::optional<CatalogProduct> ProductRepository::get(const std::string& id) {
  auto item = store_.get(tables_.products, {{"id", AttributeValue::S(id)}});
  if (!item || item->count("user_id")) return std::nullopt;
  return catalog_product_from(*item);
}

std::map<std::string, CatalogProduct> ProductRepository::get_many(const std::vector<std::string>& ids) {
  std::map<std::string, CatalogProduct> out;
  std::vector<Item> keys;
  auto flush = [&] {
    if (keys.empty()) return;
    for (auto& item : store_.batch_get(tables_.products, keys)) {
      if (item.count("user_id")) continue;
      auto p = catalog_product_from(item);
      std::string id = p.product.id;
      out.emplace(std::move(id), std::move(p));
    }
    keys.clear();
  };
  std::set<std::string> seen;
  for (auto& id : ids) {
    if (id.empty() || !seen.insert(id).second) continue;
    keys.push_back({{"id", AttributeValue::S(id)}});
    if (keys.size() == 100) flush();
  }
  flush();
  return out;
}

bool ProductRepository::owned_by_other(const std::string& id, const std::string& user_id) {
  auto item = store_.get(tables_.products, {{"id", AttributeValue::S(id)}});
  if (!item || !item->count("user_id")) return false;
  return text_attr(*item, "user_id") != user_id;
}

void ProductRepository::put(const Product& product, const std::string& content_hash) {
  std::string now = iso8601_ms(clock_.now());
  auto existing = store_.get(tables_.products, {{"id", AttributeValue::S(product.id)}});
  Item item = to_item(product);
  item["content_hash"] = AttributeValue::S(content_hash);
  item["created_at"] = AttributeValue::S(existing && existing->count("created_at") ? text_attr(*existing, "created_at") : now);
  item["updated_at"] = AttributeValue::S(now);
  try {
    store::PutRequest put;
    put.table = tables_.products;
    put.item = std::move(item);
    put.condition = "attribute_not_exists(user_id)";
    store_.put(put);
  } catch (const store::ConditionFailed&) {
    throw Error(ErrorCode::conflict, "product " + product.id + " is a report's reference product, not a catalog product");
  }
}

}  // namespace k9::repo
