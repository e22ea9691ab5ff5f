#include "store/sqlite/sqlite_store.h"

#include <set>

#include "store/expr/expression.h"
#include "store/sqlite/checkpointer.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/group_commit.h"
#include "store/sqlite/query_plan.h"
#include "store/sqlite/table_catalog.h"
#include "store/sqlite/transactions.h"

namespace k9::store::sqlite {

class SqliteStore::ReadLease {
 public:
  explicit ReadLease(SqliteStore& s) : store_(s), conn_(s.acquire_reader()) {}
  ~ReadLease() { store_.release_reader(std::move(conn_)); }
  Connection& operator*() { return *conn_; }

 private:
  SqliteStore& store_;
  std::unique_ptr<Connection> conn_;
};

SqliteStore::SqliteStore(const std::string& path) : path_(path), lock_(StoreLock::shared(path)) {
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
    auto table = create_or_extend_table(c, wanted);
    std::unique_lock lock(tables_mu_);
    tables_[wanted.name] = table;
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

QueryResult SqliteStore::query(const QueryRequest& r) {
  auto t = table(r.table);
  if (r.limit < 0) throw ValidationError("Limit must be at least 1");
  PageQuery p = plan_page(*t, r);
  QueryResult result;
  ReadLease lease(*this);
  auto st = (*lease).prepare(p.sql);
  for (size_t i = 0; i < p.params.size(); ++i) st.bind(static_cast<int>(i + 1), p.params[i]);
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

namespace {

// The segment of a row: its partition's encoded key hashed (FNV-1a), so a partition's items
// stay in one segment.
int segment_of(std::string_view pk, int total) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : pk) h = (h ^ c) * 1099511628211ull;
  return static_cast<int>(h % static_cast<uint64_t>(total));
}

constexpr size_t kScanPageBytes = 1024 * 1024;  // a page without a limit: DynamoDB's 1 MB

}  // namespace

QueryResult SqliteStore::scan(const ScanRequest& r) {
  auto t = table(r.table);
  if (r.limit < 0) throw ValidationError("Limit must be at least 1");
  if (r.total_segments < 1 || r.total_segments > 1000000)
    throw ValidationError("TotalSegments must be between 1 and 1000000");
  if (r.segment < 0 || r.segment >= r.total_segments)
    throw ValidationError("The Segment parameter is zero-based and must be less than parameter TotalSegments");
  const bool segmented = r.total_segments > 1;
  std::string sql = "SELECT pk, item FROM " + t->sql;
  std::pair<std::string, std::string> start;
  if (!r.exclusive_start_key.empty()) {
    start = t->key_of(t->key_attributes(r.exclusive_start_key, nullptr));
    sql += " WHERE (pk, sk) > (?1, ?2)";
  }
  sql += " ORDER BY pk, sk";
  if (r.limit > 0 && !segmented) sql += " LIMIT " + std::to_string(r.limit + 1);
  QueryResult result;
  size_t bytes = 0;
  ReadLease lease(*this);
  auto st = (*lease).prepare(sql);
  if (!r.exclusive_start_key.empty()) st.bind(1, start.first).bind(2, start.second);
  while (st.step()) {
    if (segmented && segment_of(st.column_blob(0), r.total_segments) != r.segment) continue;
    const bool full = r.limit > 0 ? result.items.size() == static_cast<size_t>(r.limit) : bytes >= kScanPageBytes;
    if (full) {  // another item follows: the page ends with a cursor
      result.last_evaluated_key = t->key_attributes(result.items.back(), nullptr);
      break;
    }
    auto blob = st.column_blob(1);
    bytes += blob.size();
    result.items.push_back(decode_item(blob));
  }
  return result;
}

std::optional<TableSchema> SqliteStore::describe_table(const std::string& name) {
  {
    std::shared_lock lock(tables_mu_);
    if (auto it = tables_.find(name); it != tables_.end()) return it->second->schema;
  }
  // Perhaps made by another process since this one opened the file.
  ReadLease lease(*this);
  auto st = (*lease).prepare("SELECT schema FROM _k9_tables WHERE name = ?1");
  st.bind_text(1, name);
  if (!st.step()) return std::nullopt;
  auto s = schema_from_json(st.column_blob(0));
  std::unique_lock lock(tables_mu_);
  tables_[s.name] = make_table(s);
  return s;
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
