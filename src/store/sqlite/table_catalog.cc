#include "store/sqlite/table_catalog.h"

#include <boost/json.hpp>
#include <vector>

namespace k9::store::sqlite {

namespace json = boost::json;

namespace {

AttrType type_from_name(std::string_view n) {
  if (n == "S") return AttrType::S;
  if (n == "N") return AttrType::N;
  if (n == "B") return AttrType::B;
  throw StoreError("bad key type in stored schema");
}

json::object key_json(const KeySchema& k) {
  return {{"pk", k.partition_key}, {"pt", attr_type_name(k.partition_type)}, {"sk", k.sort_key},
          {"st", attr_type_name(k.sort_type)}};
}

KeySchema key_from_json(const json::object& o) {
  KeySchema k;
  k.partition_key = json::value_to<std::string>(o.at("pk"));
  k.partition_type = type_from_name(o.at("pt").as_string());
  k.sort_key = json::value_to<std::string>(o.at("sk"));
  k.sort_type = type_from_name(o.at("st").as_string());
  return k;
}

bool has_empty_set(const AttributeValue& v) {
  switch (v.type()) {
    case AttrType::SS:
    case AttrType::NS:
    case AttrType::BS: return v.set().empty();
    case AttrType::M:
      for (auto& [k, e] : v.m())
        if (has_empty_set(e)) return true;
      return false;
    case AttrType::L:
      for (auto& e : v.l())
        if (has_empty_set(e)) return true;
      return false;
    default: return false;
  }
}

}  // namespace

std::string quote(const std::string& identifier) {
  std::string out = "\"";
  for (char c : identifier) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string schema_to_json(const TableSchema& s) {
  json::array idx;
  for (auto& i : s.indexes) idx.push_back(json::object{{"name", i.name}, {"key", key_json(i.key)}});
  return json::serialize(json::object{{"name", s.name}, {"key", key_json(s.key)}, {"indexes", idx}});
}

TableSchema schema_from_json(std::string_view text) {
  auto o = json::parse(text).as_object();
  TableSchema s;
  s.name = json::value_to<std::string>(o.at("name"));
  s.key = key_from_json(o.at("key").as_object());
  for (auto& i : o.at("indexes").as_array())
    s.indexes.push_back({json::value_to<std::string>(i.at("name")), key_from_json(i.at("key").as_object())});
  return s;
}

void validate_key_schema(const KeySchema& k, const std::string& what) {
  auto ok = [](AttrType t) { return t == AttrType::S || t == AttrType::N || t == AttrType::B; };
  if (k.partition_key.empty() || !ok(k.partition_type) || (k.has_sort_key() && !ok(k.sort_type)))
    throw ValidationError("invalid key schema for " + what);
}

void refuse_empty_sets(const Item& item, const char* what) {
  for (auto& [name, v] : item)
    if (has_empty_set(v))
      throw ValidationError(std::string(what) + ": One or more parameter values were invalid: An AttributeValue may "
                            "not contain an empty set (" + name + ")");
}

std::shared_ptr<SqliteStore::Table> make_table(const TableSchema& s) {
  auto t = std::make_shared<SqliteStore::Table>();
  t->schema = s;
  t->sql = quote("t:" + s.name);
  t->select_item = "SELECT item FROM " + t->sql + " WHERE pk = ?1 AND sk = ?2";
  t->delete_item = "DELETE FROM " + t->sql + " WHERE pk = ?1 AND sk = ?2";
  std::string cols = "pk, sk, item", params = "?1, ?2, ?3";
  for (size_t i = 0; i < s.indexes.size(); ++i) {
    cols += ", " + t->index_col(i, "pk") + ", " + t->index_col(i, "sk");
    params += ", ?" + std::to_string(4 + 2 * i) + ", ?" + std::to_string(5 + 2 * i);
  }
  t->upsert = "INSERT OR REPLACE INTO " + t->sql + " (" + cols + ") VALUES (" + params + ")";
  return t;
}

std::shared_ptr<SqliteStore::Table> create_or_extend_table(Connection& c, const TableSchema& wanted) {
  std::optional<TableSchema> existing;
  {
    auto st = c.prepare("SELECT schema FROM _k9_tables WHERE name = ?1");
    st.bind_text(1, wanted.name);
    if (st.step()) existing = schema_from_json(st.column_blob(0));
  }
  TableSchema result = existing ? *existing : TableSchema{wanted.name, wanted.key, {}};
  std::string sql = quote("t:" + wanted.name);
  if (!existing) c.exec("CREATE TABLE " + sql + " (pk BLOB NOT NULL, sk BLOB NOT NULL, item BLOB NOT NULL, "
                        "PRIMARY KEY (pk, sk)) WITHOUT ROWID");
  std::vector<IndexSchema> added;
  for (auto& idx : wanted.indexes) {
    bool present = false;
    for (auto& have : result.indexes) present = present || have.name == idx.name;
    if (present) continue;
    c.exec("ALTER TABLE " + sql + " ADD COLUMN " + quote(idx.name + "#pk") + " BLOB");
    c.exec("ALTER TABLE " + sql + " ADD COLUMN " + quote(idx.name + "#sk") + " BLOB");
    c.exec("CREATE INDEX " + quote("i:" + wanted.name + ":" + idx.name) + " ON " + sql + " (" +
           quote(idx.name + "#pk") + ", " + quote(idx.name + "#sk") + ", pk, sk) WHERE " +
           quote(idx.name + "#pk") + " IS NOT NULL");
    result.indexes.push_back(idx);
    added.push_back(idx);
  }
  auto table = make_table(result);
  if (existing && !added.empty()) {  // backfill new indexes from the items already there
    std::vector<Item> items;
    {
      auto st = c.prepare("SELECT item FROM " + sql);
      while (st.step()) items.push_back(decode_item(st.column_blob(0)));
    }
    for (auto& item : items) table->write(c, item);
  }
  auto st = c.prepare("INSERT OR REPLACE INTO _k9_tables (name, schema) VALUES (?1, ?2)");
  st.bind_text(1, result.name).bind_text(2, schema_to_json(result));
  st.step();
  return table;
}

}  // namespace k9::store::sqlite
