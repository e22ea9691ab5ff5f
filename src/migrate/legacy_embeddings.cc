#include "migrate/legacy_embeddings.h"

#include "core/error.h"

namespace k9::migrate {

using store::AttributeValue;
using store::AttrType;

store::Item with_spec_embedding_key(store::Item item, const std::string& model_version) {
  auto id = item.find("product_id");
  if (id == item.end() || !id->second.is(AttrType::S))
    throw Error(ErrorCode::bad_request, "an embeddings item has no product_id string: cannot give it SPEC's key");
  auto mv = item.find("model_version");
  if (mv == item.end()) {
    item.emplace("model_version", AttributeValue::S(model_version));
  } else if (!mv->second.is(AttrType::S) || mv->second.s().empty()) {
    throw Error(ErrorCode::bad_request,
                "embeddings item " + id->second.s() + " has a model_version that is not a non-empty string");
  }
  return item;
}

}  // namespace k9::migrate
