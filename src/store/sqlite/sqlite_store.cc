#include "store/sqlite/sqlite_store.h"

#include <boost/json.hpp>
#include <set>

#include "store/expr/expression.h"
#include "store/sqlite/checkpointer.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/group_commit.h"
#include "store/sqlite/item_codec.h"
#include "store/sqlite/key_encoding.h"

namespace k9::store::sqlite {

namespace json = boost::json;

namespace {

constexpr size_t kMaxItemBytes = 400 * 1024;

std::string quote(const std::string& identifier) {
  std::string out = "\"";
  for (char c : identifier) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

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

// DynamoDB refuses empty sets anywhere in an item or an expression value (and they could
// not be read back from the stored JSON).
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

void refuse_empty_sets(const Item& item, const char* what) {
  for (auto& [name, v] : item)
    if (has_empty_set(v))
      throw ValidationError(std::string(what) + ": One or more parameter values were invalid: An AttributeValue may "
                            "not contain an empty set (" + name + ")");
}

}  // namespace

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

namespace {

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

// Resolved condition for one write: parsed once, evaluated inside the writer.
struct Checked {
  std::shared_ptr<const expr::Condition> condition;
  const Names* names = nullptr;
  const Values* values = nullptr;
  bool holds(const std::optional<Item>& item) const {
    return !condition || condition->evaluate(item ? &*item : nullptr, *names, *values);
  }
};

Checked prepare_condition(const std::string& text, const Names& names, const Values& values,
                          const expr::Update* update = nullptr) {
  refuse_empty_sets(values, "ExpressionAttributeValues contains invalid value");
  Checked c{nullptr, &names, &values};
  std::vector<const expr::Condition*> conds;
  if (!text.empty()) {
    c.condition = expr::cached_condition(text);
    conds.push_back(c.condition.get());
  }
  expr::check_placeholders(conds, update, names, values);
  return c;
}

void refuse_key_updates(const expr::Update& update, const Names& names, const TableSchema& s) {
  for (auto& attr : update.touched_top_level(names)) {
    if (attr == s.key.partition_key || attr == s.key.sort_key)
      throw ValidationError("One or more parameter values were invalid: Cannot update attribute " + attr +
                            ". This attribute is part of the key");
  }
}

}  // namespace

class SqliteStore::ReadLease {
 public:
  explicit ReadLease(SqliteStore& s) : store_(s), conn_(s.acquire_reader()) {}
  ~ReadLease() { store_.release_reader(std::move(conn_)); }
  Connection& operator*() { return *conn_; }

 private:
  SqliteStore& store_;
  std::unique_ptr<Connection> conn_;
};

SqliteStore::SqliteStore(const std::string& path) : path_(path) {
  auto conn = std::make_unique<Connection>(path);
  conn->exec("CREATE TABLE IF NOT EXISTS _k9_tables (name TEXT PRIMARY KEY, schema TEXT NOT NULL)");
  conn->exec("PRAGMA wal_autocheckpoint=0");  // checkpoints run beside the writer, not in it
  conn->exec("PRAGMA journal_size_limit=67108864");
  writer_ = std::make_unique<GroupCommitWriter>(std::move(conn));
  checkpointer_ = std::make_unique<Checkpointer>(path);
  load_tables();
}

SqliteStore::~SqliteStore() {
  writer_.reset();  // drains queued writes
  checkpointer_.reset();  // a last checkpoint
  readers_.clear();
}

void SqliteStore::load_tables() {
  ReadLease lease(*this);
  auto st = (*lease).prepare("SELECT schema FROM _k9_tables");
  std::unique_lock lock(tables_mu_);
  while (st.step()) {
    auto s = schema_from_json(st.column_blob(0));
    tables_[s.name] = make_table(s);
  }
}

std::unique_ptr<Connection> SqliteStore::acquire_reader() {
  {
    std::lock_guard lock(readers_mu_);
    if (!readers_.empty()) {
      auto c = std::move(readers_.back());
      readers_.pop_back();
      return c;
    }
  }
  auto c = std::make_unique<Connection>(path_, /*read_only=*/false);
  c->exec("PRAGMA query_only=1");
  return c;
}

void SqliteStore::release_reader(std::unique_ptr<Connection> c) {
  std::lock_guard lock(readers_mu_);
  if (readers_.size() < 64) readers_.push_back(std::move(c));
}

std::shared_ptr<const SqliteStore::Table> SqliteStore::table(const std::string& name) const {
  std::shared_lock lock(tables_mu_);
  auto it = tables_.find(name);
  if (it == tables_.end()) throw ValidationError("Cannot do operations on a non-existent table: " + name);
  return it->second;
}

void SqliteStore::ensure_table(const TableSchema& wanted) {
  validate_key_schema(wanted.key, wanted.name);
  for (auto& i : wanted.indexes) validate_key_schema(i.key, i.name);
  writer_->run([&](Connection& c) {
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
    std::unique_lock lock(tables_mu_);
    tables_[result.name] = table;
  });
}

std::optional<Item> SqliteStore::get(const std::string& name, const Item& key) {
  auto t = table(name);
  auto k = t->key_of(key);
  ReadLease lease(*this);
  return t->read(*lease, k);
}

void SqliteStore::put(const PutRequest& r) {
  auto t = table(r.table);
  auto key = t->key_of_item(r.item);
  Checked cond = prepare_condition(r.condition, r.names, r.values);
  writer_->run([&](Connection& c) {
    if (cond.condition && !cond.holds(t->read(c, key))) throw ConditionFailed();
    t->write(c, r.item);
  });
}

Item SqliteStore::update(const UpdateRequest& r) {
  auto t = table(r.table);
  auto key = t->key_of(r.key);
  auto update = expr::cached_update(r.update);
  Checked cond = prepare_condition(r.condition, r.names, r.values, update.get());
  refuse_key_updates(*update, r.names, t->schema);
  Item result;
  writer_->run([&](Connection& c) {
    auto old = t->read(c, key);
    if (!cond.holds(old)) throw ConditionFailed();
    result = old ? std::move(*old) : r.key;
    update->apply(result, r.names, r.values);
    t->write(c, result);
  });
  return result;
}

std::optional<Item> SqliteStore::remove(const DeleteRequest& r) {
  auto t = table(r.table);
  auto key = t->key_of(r.key);
  Checked cond = prepare_condition(r.condition, r.names, r.values);
  std::optional<Item> old;
  writer_->run([&](Connection& c) {
    old = t->read(c, key);
    if (!cond.holds(old)) throw ConditionFailed();
    if (old) t->erase(c, key);
  });
  return old;
}

namespace {

// WHERE clause and parameters of a query, without the cursor.
struct QueryPlan {
  std::string pk_col, sk_col, order;
  std::string where;
  std::vector<std::string> params;
  const IndexSchema* index = nullptr;
};

QueryPlan plan_query(const SqliteStore::Table& t, const QueryRequest& r) {
  QueryPlan p;
  const KeySchema* key = &t.schema.key;
  if (!r.index.empty()) {
    p.index = t.index(r.index);
    if (!p.index) throw ValidationError("The table does not have the specified index: " + r.index);
    key = &p.index->key;
    size_t i = p.index - t.schema.indexes.data();
    p.pk_col = t.index_col(i, "pk");
    p.sk_col = t.index_col(i, "sk");
  } else {
    p.pk_col = "pk";
    p.sk_col = "sk";
  }
  p.params.push_back(encode_key(r.partition, key->partition_type, key->partition_key));
  p.where = p.pk_col + " = ?1";
  if (r.sort) {
    if (!key->has_sort_key()) throw ValidationError("Query key condition not supported: no sort key");
    const SortCondition& s = *r.sort;
    std::string v = encode_key(s.value, key->sort_type, key->sort_key);
    auto arg = [&](std::string value) {
      p.params.push_back(std::move(value));
      return "?" + std::to_string(p.params.size());
    };
    switch (s.op) {
      case SortOp::EQ: p.where += " AND " + p.sk_col + " = " + arg(v); break;
      case SortOp::LT: p.where += " AND " + p.sk_col + " < " + arg(v); break;
      case SortOp::LE: p.where += " AND " + p.sk_col + " <= " + arg(v); break;
      case SortOp::GT: p.where += " AND " + p.sk_col + " > " + arg(v); break;
      case SortOp::GE: p.where += " AND " + p.sk_col + " >= " + arg(v); break;
      case SortOp::BETWEEN: {
        std::string hi = encode_key(s.value2, key->sort_type, key->sort_key);
        if (hi < v)
          throw ValidationError("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be "
                                "greater than or equal to lower bound");
        p.where += " AND " + p.sk_col + " >= " + arg(v) + " AND " + p.sk_col + " <= " + arg(hi);
        break;
      }
      case SortOp::BEGINS_WITH: {
        if (key->sort_type == AttrType::N)
          throw ValidationError("Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
                                "operator or function: begins_with, operand type: N");
        p.where += " AND " + p.sk_col + " >= " + arg(v);
        std::string upper = prefix_upper_bound(v);
        if (!upper.empty()) p.where += " AND " + p.sk_col + " < " + arg(upper);
        break;
      }
    }
  }
  return p;
}

}  // namespace

QueryResult SqliteStore::query(const QueryRequest& r) {
  auto t = table(r.table);
  if (r.limit < 0) throw ValidationError("Limit must be at least 1");
  QueryPlan p = plan_query(*t, r);
  std::string dir = r.forward ? " ASC" : " DESC";
  std::string cmp = r.forward ? " > " : " < ";
  std::string where = p.where;
  std::vector<std::string> params = p.params;
  if (!r.exclusive_start_key.empty()) {
    auto start = t->key_of(t->key_attributes(r.exclusive_start_key, nullptr));
    auto arg = [&](std::string v) {
      params.push_back(std::move(v));
      return "?" + std::to_string(params.size());
    };
    if (p.index) {
      auto ik = t->index_key(r.exclusive_start_key, *p.index);
      if (!ik) throw ValidationError("The provided starting key is invalid: missing index key attributes");
      where += " AND (" + p.sk_col + ", pk, sk)" + cmp + "(" + arg(ik->second) + ", " + arg(start.first) + ", " +
               arg(start.second) + ")";
    } else {
      where += " AND sk" + cmp + arg(start.second);
    }
  }
  std::string order = p.index ? p.sk_col + dir + ", pk" + dir + ", sk" + dir : "sk" + dir;
  std::string sql = "SELECT item FROM " + t->sql + " WHERE " + where + " ORDER BY " + order;
  if (r.limit > 0) sql += " LIMIT " + std::to_string(r.limit + 1);
  QueryResult result;
  ReadLease lease(*this);
  auto st = (*lease).prepare(sql);
  for (size_t i = 0; i < params.size(); ++i) st.bind(static_cast<int>(i + 1), params[i]);
  while (st.step()) {
    if (r.limit > 0 && result.items.size() == static_cast<size_t>(r.limit)) {
      result.last_evaluated_key = t->key_attributes(result.items.back(), p.index);
      break;
    }
    result.items.push_back(decode_item(st.column_blob(0)));
  }
  return result;
}

size_t SqliteStore::count(const QueryRequest& r) {
  auto t = table(r.table);
  QueryPlan p = plan_query(*t, r);
  ReadLease lease(*this);
  auto st = (*lease).prepare("SELECT count(*) FROM " + t->sql + " WHERE " + p.where);
  for (size_t i = 0; i < p.params.size(); ++i) st.bind(static_cast<int>(i + 1), p.params[i]);
  st.step();
  return static_cast<size_t>(st.column_int(0));
}

std::vector<Item> SqliteStore::batch_get(const std::string& name, const std::vector<Item>& keys) {
  if (keys.size() > 100) throw ValidationError("Too many items requested for the BatchGetItem call");
  auto t = table(name);
  std::vector<std::pair<std::string, std::string>> encoded;
  std::set<std::pair<std::string, std::string>> seen;
  for (auto& k : keys) {
    encoded.push_back(t->key_of(k));
    if (!seen.insert(encoded.back()).second)
      throw ValidationError("Provided list of item keys contains duplicates");
  }
  std::vector<Item> items;
  ReadLease lease(*this);
  for (auto& k : encoded)
    if (auto item = t->read(*lease, k)) items.push_back(std::move(*item));
  return items;
}

void SqliteStore::batch_write(const std::string& name, const std::vector<Item>& puts,
                              const std::vector<Item>& delete_keys) {
  if (puts.size() + delete_keys.size() > 25)
    throw ValidationError("Too many items requested for the BatchWriteItem call");
  auto t = table(name);
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<std::pair<std::string, std::string>> dels;
  for (auto& item : puts)
    if (!seen.insert(t->key_of_item(item)).second)
      throw ValidationError("Provided list of item keys contains duplicates");
  for (auto& k : delete_keys) {
    dels.push_back(t->key_of(k));
    if (!seen.insert(dels.back()).second) throw ValidationError("Provided list of item keys contains duplicates");
  }
  writer_->run([&](Connection& c) {
    for (auto& item : puts) t->write(c, item);
    for (auto& k : dels) t->erase(c, k);
  });
}

void SqliteStore::transact_write(const std::vector<TransactItem>& items) {
  if (items.empty() || items.size() > 100)
    throw ValidationError("Member must have length less than or equal to 100 and at least 1");
  struct Step {
    std::shared_ptr<const Table> table;
    std::pair<std::string, std::string> key;
    Checked cond;
    std::shared_ptr<const expr::Update> update;
    const TransactItem* item;
  };
  std::vector<Step> steps;
  std::set<std::pair<std::string, std::pair<std::string, std::string>>> seen;
  for (auto& ti : items) {
    Step s;
    s.item = &ti;
    std::visit(
        [&](auto& r) {
          using R = std::decay_t<decltype(r)>;
          s.table = table(r.table);
          if constexpr (std::is_same_v<R, PutRequest>) {
            s.key = s.table->key_of_item(r.item);
            s.cond = prepare_condition(r.condition, r.names, r.values);
          } else if constexpr (std::is_same_v<R, UpdateRequest>) {
            s.key = s.table->key_of(r.key);
            s.update = expr::cached_update(r.update);
            s.cond = prepare_condition(r.condition, r.names, r.values, s.update.get());
            refuse_key_updates(*s.update, r.names, s.table->schema);
          } else {
            s.key = s.table->key_of(r.key);
            if constexpr (std::is_same_v<R, ConditionCheck>) {
              if (r.condition.empty()) throw ValidationError("ConditionCheck requires a ConditionExpression");
            }
            s.cond = prepare_condition(r.condition, r.names, r.values);
          }
          if (!seen.insert({r.table, s.key}).second)
            throw ValidationError("Transaction request cannot include multiple operations on one item");
        },
        ti);
    steps.push_back(std::move(s));
  }
  writer_->run([&](Connection& c) {
    std::vector<std::optional<Item>> olds;
    std::vector<std::string> reasons;
    bool failed = false;
    for (auto& s : steps) {
      olds.push_back(s.table->read(c, s.key));
      bool ok = s.cond.holds(olds.back());
      reasons.push_back(ok ? "None" : "ConditionalCheckFailed");
      failed = failed || !ok;
    }
    if (failed) throw TransactionCanceled(reasons);
    for (size_t i = 0; i < steps.size(); ++i) {
      auto& s = steps[i];
      std::visit(
          [&](auto& r) {
            using R = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<R, PutRequest>) {
              s.table->write(c, r.item);
            } else if constexpr (std::is_same_v<R, UpdateRequest>) {
              Item result = olds[i] ? std::move(*olds[i]) : r.key;
              s.update->apply(result, r.names, r.values);
              s.table->write(c, result);
            } else if constexpr (std::is_same_v<R, DeleteRequest>) {
              if (olds[i]) s.table->erase(c, s.key);
            }
          },
          *s.item);
    }
  });
}

bool SqliteStore::healthy() {
  try {
    ReadLease lease(*this);
    auto st = (*lease).prepare("SELECT 1");
    return st.step();
  } catch (const StoreError&) {
    return false;
  }
}

uint64_t SqliteStore::checkpointed_frames() const { return checkpointer_->frames_checkpointed(); }

std::pair<uint64_t, uint64_t> SqliteStore::commit_stats() const {
  auto s = writer_->stats();
  return {s.commits, s.writes};
}

}  // namespace k9::store::sqlite
