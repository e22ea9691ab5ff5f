// Internal to src/store/sqlite: the table catalog. A store table's schema and the SQL that
// serves it (SqliteStore::Table: keys encoded, one item read or written with its index
// columns), the schemas kept in `_k9_tables`, and the DDL that creates a table or adds the
// indexes it lacks. sqlite_store.h describes the layout.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/sqlite/connection.h"
#include "store/sqlite/item_codec.h"
#include "store/sqlite/key_encoding.h"
#include "store/sqlite/sqlite_store.h"

namespace k9::store::sqlite {

constexpr size_t kMaxItemBytes = 400 * 1024;

// An SQL identifier, double-quoted.
std::string quote(const std::string& identifier);
std::string schema_to_json(const TableSchema& s);
TableSchema schema_from_json(std::string_view text);
// Throws ValidationError naming `what` when the key schema is not one DynamoDB accepts.
void validate_key_schema(const KeySchema& k, const std::string& what);
// DynamoDB refuses empty sets anywhere in an item or an expression value (and they could
// not be read back from the stored JSON): throws ValidationError, `what` first.
void refuse_empty_sets(const Item& item, const char* what);

// A table's schema and the SQL that serves it.
struct SqliteStore::Table {
  TableSchema schema;
  std::string sql;  // quoted SQL table name
  std::string select_item, upsert, delete_item;

  std::string index_col(size_t i, const char* part) const { return quote(schema.indexes[i].name + "#" + part); }

  const IndexSchema* index(const std::string& name) const {
    for (auto& i : schema.indexes)
      if (i.name == name) return &i;
    return nullptr;
  }

  // Encoded (pk, sk) of a key map holding exactly the table's key attributes.
  std::pair<std::string, std::string> key_of(const Item& key) const {
    const KeySchema& k = schema.key;
    size_t expected = k.has_sort_key() ? 2 : 1;
    auto pk = key.find(k.partition_key);
    auto sk = k.has_sort_key() ? key.find(k.sort_key) : key.end();
    if (key.size() != expected || pk == key.end() || (k.has_sort_key() && sk == key.end()))
      throw ValidationError("The provided key element does not match the schema");
    return {encode_key(pk->second, k.partition_type, k.partition_key),
            k.has_sort_key() ? encode_key(sk->second, k.sort_type, k.sort_key) : std::string()};
  }

  // The key attributes of an item (for last_evaluated_key and key checks).
  Item key_attributes(const Item& item, const IndexSchema* idx) const {
    Item key;
    auto copy = [&](const std::string& name) {
      if (name.empty()) return;
      auto it = item.find(name);
      if (it != item.end()) key.emplace(name, it->second);
    };
    copy(schema.key.partition_key);
    copy(schema.key.sort_key);
    if (idx) {
      copy(idx->key.partition_key);
      copy(idx->key.sort_key);
    }
    return key;
  }

  std::pair<std::string, std::string> key_of_item(const Item& item) const {
    auto pk = item.find(schema.key.partition_key);
    if (pk == item.end())
      throw ValidationError("One or more parameter values were invalid: Missing the key " +
                            schema.key.partition_key + " in the item");
    if (schema.key.has_sort_key() && !item.count(schema.key.sort_key))
      throw ValidationError("One or more parameter values were invalid: Missing the key " + schema.key.sort_key +
                            " in the item");
    return key_of(key_attributes(item, nullptr));
  }

  // Encoded index key of an item, or nullopt when the item is not in that (sparse) index.
  std::optional<std::pair<std::string, std::string>> index_key(const Item& item, const IndexSchema& idx) const {
    auto pk = item.find(idx.key.partition_key);
    if (pk == item.end()) return std::nullopt;
    std::string epk = encode_index_value(pk->second, idx.key.partition_type, idx.key.partition_key, idx.name);
    if (!idx.key.has_sort_key()) return std::make_pair(epk, std::string());
    auto sk = item.find(idx.key.sort_key);
    if (sk == item.end()) return std::nullopt;
    return std::make_pair(epk, encode_index_value(sk->second, idx.key.sort_type, idx.key.sort_key, idx.name));
  }

  static std::string encode_index_value(const AttributeValue& v, AttrType t, const std::string& attr,
                                        const std::string& index) {
    if (v.type() != t)
      throw ValidationError(std::string("One or more parameter values were invalid: Type mismatch for Index Key ") +
                            attr + " Expected: " + attr_type_name(t) + " Actual: " + attr_type_name(v.type()) +
                            " IndexName: " + index);
    if ((t == AttrType::S && v.s().empty()) || (t == AttrType::B && v.b().empty()))
      throw ValidationError("One or more parameter values are not valid. A value specified for a secondary index "
                            "key is not supported. The AttributeValue for a key attribute cannot contain an empty "
                            "string value. IndexName: " + index + ", IndexKey: " + attr);
    return encode_key(v, t, attr);
  }

  std::optional<Item> read(Connection& c, const std::pair<std::string, std::string>& key) const {
    auto st = c.prepare(select_item);
    st.bind(1, key.first).bind(2, key.second);
    if (!st.step()) return std::nullopt;
    return decode_item(st.column_blob(0));
  }

  void write(Connection& c, const Item& item) const {
    refuse_empty_sets(item, "Item");
    std::string text = encode_item(item);
    if (text.size() > kMaxItemBytes && item_byte_size(item) > kMaxItemBytes)
      throw ValidationError("Item size has exceeded the maximum allowed size");
    auto key = key_of_item(item);
    auto st = c.prepare(upsert);
    st.bind(1, key.first).bind(2, key.second).bind(3, text);
    for (size_t i = 0; i < schema.indexes.size(); ++i) {
      auto ik = index_key(item, schema.indexes[i]);
      if (ik) {
        st.bind(4 + 2 * i, ik->first).bind(5 + 2 * i, ik->second);
      } else {
        st.bind_null(4 + 2 * i).bind_null(5 + 2 * i);
      }
    }
    st.step();
  }

  void erase(Connection& c, const std::pair<std::string, std::string>& key) const {
    auto st = c.prepare(delete_item);
    st.bind(1, key.first).bind(2, key.second);
    st.step();
  }
};

std::shared_ptr<SqliteStore::Table> make_table(const TableSchema& s);

// In the writer's transaction: creates `wanted`'s SQLite table, or adds (and backfills from the
// items already there) the indexes the existing one lacks, records the schema in `_k9_tables`,
// and answers the table as it now is.
std::shared_ptr<SqliteStore::Table> create_or_extend_table(Connection& c, const TableSchema& wanted);

}  // namespace k9::store::sqlite
