#include "repo/embedding_repository.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace k9::repo {

using store::AttributeValue;
using store::AttrType;

std::string encode_float32_le(const std::vector<float>& v) {
  std::string out(v.size() * 4, '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t bits = std::bit_cast<uint32_t>(v[i]);
    for (int b = 0; b < 4; ++b) out[i * 4 + b] = char((bits >> (8 * b)) & 0xFF);
  }
  return out;
}

std::vector<float> decode_float32_le(const std::string& bytes) {
  if (bytes.size() % 4) throw std::invalid_argument("embedding_vector is not a whole number of float32 values");
  std::vector<float> out(bytes.size() / 4);
  for (size_t i = 0; i < out.size(); ++i) {
    uint32_t bits = 0;
    for (int b = 0; b < 4; ++b) bits |= uint32_t(static_cast<unsigned char>(bytes[i * 4 + b])) << (8 * b);
    out[i] = std::bit_cast<float>(bits);
  }
  return out;
}

namespace {

const AttributeValue& required(const store::Item& item, const char* name) {
  auto it = item.find(name);
  if (it == item.end()) throw std::invalid_argument(std::string(name) + " is missing");
  return it->second;
}

std::string text(const store::Item& item, const char* name) {
  auto it = item.find(name);
  return it != item.end() && it->second.type() == AttrType::S ? it->second.s() : "";
}

}  // namespace

Embedding EmbeddingRepository::from_item(const store::Item& item) {
  Embedding e;
  e.product_id = required(item, "product_id").s();
  e.model_version = required(item, "model_version").s();
  e.created_at = text(item, "created_at");
  e.source_hash = text(item, "source_hash");
  const AttributeValue& v = required(item, "embedding_vector");
  if (v.type() == AttrType::B) {
    e.vectors = decode_float32_le(v.b());
  } else if (v.type() == AttrType::L) {
    for (auto& n : v.l()) {
      if (n.type() != AttrType::N) throw std::invalid_argument("embedding_vector holds a value that is not a number");
      e.vectors.push_back(std::stof(n.n()));
    }
  } else {
    throw std::invalid_argument("embedding_vector is neither binary nor a list of numbers");
  }
  if (auto owner = item.find("user_id"); owner != item.end() && owner->second.type() == AttrType::S)
    e.owner = owner->second.s();
  auto dim = item.find("vector_dimension");
  e.dimension = dim != item.end() && dim->second.type() == AttrType::N ? std::stoul(dim->second.n()) : e.vectors.size();
  if (e.dimension == 0 || e.vectors.size() % e.dimension)
    throw std::invalid_argument("embedding_vector's length is not a multiple of vector_dimension");
  return e;
}

void EmbeddingRepository::put(Embedding e) {
  if (e.dimension == 0 || e.vectors.empty() || e.vectors.size() % e.dimension)
    throw std::invalid_argument("an embedding needs whole vectors of its dimension");
  store::Item item{{"product_id", AttributeValue::S(e.product_id)},
                   {"model_version", AttributeValue::S(e.model_version)},
                   {"embedding_vector", AttributeValue::B(encode_float32_le(e.vectors))},
                   {"vector_dimension", AttributeValue::N(static_cast<long long>(e.dimension))},
                   {"image_count", AttributeValue::N(static_cast<long long>(e.count()))},
                   {"created_at", AttributeValue::S(iso8601_ms(clock_.now()))}};
  if (!e.source_hash.empty()) item["source_hash"] = AttributeValue::S(e.source_hash);
  if (!e.owner.empty()) item["user_id"] = AttributeValue::S(e.owner);
  store::PutRequest put;
  put.table = tables_.embeddings;
  put.item = std::move(item);
  store_.put(put);
}

std::optional<Embedding> EmbeddingRepository::get(const std::string& product_id, const std::string& model_version) {
  auto item = store_.get(tables_.embeddings, {{"product_id", AttributeValue::S(product_id)},
                                              {"model_version", AttributeValue::S(model_version)}});
  if (!item) return std::nullopt;
  return from_item(*item);
}

void EmbeddingRepository::remove(const std::string& product_id, const std::string& model_version) {
  store::DeleteRequest del;
  del.table = tables_.embeddings;
  del.key = {{"product_id", AttributeValue::S(product_id)}, {"model_version", AttributeValue::S(model_version)}};
  store_.remove(del);
}

void EmbeddingRepository::each_item(const std::string& model_version, int page_size,
                                    const std::function<bool(const store::Item&)>& fn) {
  store::QueryRequest q;
  q.table = tables_.embeddings;
  q.index = kModelVersionIndex;
  q.partition = AttributeValue::S(model_version);
  q.limit = page_size;
  do {
    auto page = store_.query(q);
    for (auto& item : page.items)
      if (!fn(item)) return;
    q.exclusive_start_key = page.last_evaluated_key;
  } while (!q.exclusive_start_key.empty());
}

void EmbeddingRepository::for_each(const std::string& model_version, const std::function<void(const Embedding&)>& fn) {
  each_item(model_version, 200, [&](const store::Item& item) {
    fn(from_item(item));
    return true;
  });
}

bool EmbeddingRepository::has_catalog(const std::string& model_version) {
  bool found = false;
  each_item(model_version, 25, [&](const store::Item& item) {
    found = !item.contains("user_id");
    return !found;
  });
  return found;
}

}  // namespace k9::repo
