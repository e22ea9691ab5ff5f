#include "migrate/migration.h"

#include <chrono>
#include <map>
#include <optional>
#include <thread>

#include "core/error.h"
#include "migrate/batch_writer.h"
#include "migrate/checkpoint.h"
#include "store/item_json.h"

namespace k9::migrate {

using store::Item;
using store::KeySchema;
using store::Store;

namespace {

constexpr size_t kBatchItems = 25;   // BatchWriteItem's limit
constexpr size_t kBatchGetKeys = 100;  // BatchGetItem's limit

// A store and the words that name it in errors ("source sqlite:/x/k9.db").
struct Side {
  Store& store;
  std::string name;

  // Runs `call` on the store; a k9::Error it throws comes out prefixed with the side's name.
  template <class F>
  auto operator()(F&& call) const {
    try {
      return call(store);
    } catch (const Error& e) {
      throw Error(e.code(), name + ": " + e.message(), name + ": " + e.what(), e.retry_after());
    }
  }
};

using ItemMap = std::function<Item(const Item&)>;

Item key_of(const Item& item, const KeySchema& key) {
  Item k;
  for (const std::string& name : {key.partition_key, key.sort_key}) {
    if (name.empty()) continue;
    auto it = item.find(name);
    if (it == item.end())
      throw Error(ErrorCode::bad_request, "an item lacks the key attribute " + name + ": " + store::serialize_item(item));
    k.insert(*it);
  }
  return k;
}

// Every page of `table` on `side` after `start` (of one segment of a parallel scan), handed to
// `page` (bounded memory: one page).
void for_each_page(const Side& side, const std::string& table, Item start, int page_size,
                   const std::function<void(std::vector<Item>&)>& page, int segment = 0, int segments = 1) {
  for (;;) {
    auto result = side([&](Store& s) { return s.scan({table, page_size, start, segment, segments}); });
    if (!result.items.empty()) page(result.items);
    if (result.last_evaluated_key.empty()) return;
    start = std::move(result.last_evaluated_key);
  }
}

// The digest of a table's items as `map` makes them. A remote store is read in kScanSegments
// parallel segments (a scan of DynamoDB waits on the network, and the digest does not depend on
// the order); a local one (SQLite, which reads every row for each segment) in one.
constexpr int kScanSegments = 4;
TableDigest digest_of(const Side& side, const std::string& table, int page_size, const ItemMap& map) {
  const int segments = side.store.reads_are_local() ? 1 : kScanSegments;
  std::vector<TableDigest> parts(segments);
  std::vector<std::exception_ptr> failures(segments);
  auto digest_segment = [&](int i) {
    try {
      for_each_page(side, table, {}, page_size, [&](std::vector<Item>& items) {
        for (auto& item : items) parts[i].add(map(item));
      }, i, segments);
    } catch (...) {
      failures[i] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < segments; ++i) threads.emplace_back(digest_segment, i);
  digest_segment(0);
  for (auto& t : threads) t.join();
  TableDigest whole;
  for (int i = 0; i < segments; ++i) {
    if (failures[i]) std::rethrow_exception(failures[i]);
    whole.merge(parts[i]);
  }
  return whole;
}

// The key (as `a` holds it) of the first item of `a`'s table that `b` does not hold equal:
// each item of `a`, as `map_a` makes it, is looked up in `b` by its key there (`b_key`) and
// compared with what `b` holds, as `map_b` makes it. nullopt when every item has its match.
std::optional<Item> first_unmatched(const Side& a, const KeySchema& a_key, const ItemMap& map_a, const Side& b,
                                    const KeySchema& b_key, const ItemMap& map_b, const std::string& table,
                                    int page_size) {
  std::optional<Item> unmatched;
  auto check = [&](const std::vector<Item>& chunk) {
    std::vector<Item> mapped, keys;
    std::map<std::string, Item> found;  // b's items by their key's JSON
    for (auto& item : chunk) {
      mapped.push_back(map_a(item));
      Item k = key_of(mapped.back(), b_key);
      if (found.emplace(store::serialize_item(k), Item{}).second) keys.push_back(std::move(k));
    }
    for (auto& item : b([&](Store& s) { return s.batch_get(table, keys); }))
      found[store::serialize_item(key_of(item, b_key))] = map_b(item);
    for (size_t i = 0; i < chunk.size() && !unmatched; ++i)
      if (found[store::serialize_item(key_of(mapped[i], b_key))] != mapped[i]) unmatched = key_of(chunk[i], a_key);
  };
  for_each_page(a, table, {}, page_size, [&](std::vector<Item>& items) {
    for (size_t i = 0; i < items.size() && !unmatched; i += kBatchGetKeys)
      check({items.begin() + i, items.begin() + std::min(items.size(), i + kBatchGetKeys)});
  });
  return unmatched;
}

class Migration {
 public:
  Migration(Store& from, Store& to, const MigrationOptions& o)
      : o_(o), from_{from, "source " + o.from_label}, to_{to, "target " + o.to_label} {}

  MigrationResult run();
  TableResult compare(const std::string& table);

 private:
  void say(const std::string& line) const {
    if (o_.on_message) o_.on_message(line);
  }
  Item rewrite(const std::string& table, const Item& item) const {
    if (!o_.embeddings_table.empty() && table == o_.embeddings_table)
      return with_spec_embedding_key(item, o_.legacy_embeddings_model);
    return item;
  }
  ItemMap rewriter(const std::string& table) const {
    return [this, table](const Item& i) { return rewrite(table, i); };
  }
  static Item same(const Item& i) { return i; }
  void require_healthy(const Side& side) const;
  void refuse_other_data(const store::TableSchema& schema);
  void copy_table(const store::TableSchema& target, const KeySchema& source_key);
  // Writes the checkpoint; unless `now`, only when checkpoint_interval has passed since the last
  // write (the next commit or the table's end writes what was skipped).
  void save(bool now = true) {
    if (o_.checkpoint.empty()) return;
    auto t = std::chrono::steady_clock::now();
    if (!now && t - last_save_ < o_.checkpoint_interval) return;
    checkpoint_.save(o_.checkpoint);
    last_save_ = t;
  }

  const MigrationOptions& o_;
  Side from_, to_;
  std::map<std::string, std::optional<store::TableSchema>> source_schemas_;
  Checkpoint checkpoint_;
  std::chrono::steady_clock::time_point last_save_{};
  uint64_t total_ = 0, copied_ = 0;
};

void Migration::require_healthy(const Side& side) const {
  if (!side.store.healthy())
    throw Error(ErrorCode::unavailable, side.name + " does not answer (unreachable or unusable); nothing was copied");
}

void Migration::refuse_other_data(const store::TableSchema& schema) {
  if (!to_([&](Store& s) { return s.describe_table(schema.name); })) return;
  const auto& source = source_schemas_.at(schema.name);
  std::optional<Item> foreign;
  if (!source) {
    auto page = to_([&](Store& s) { return s.scan({schema.name, 1, {}}); });
    if (!page.items.empty()) foreign = key_of(page.items.front(), schema.key);
  } else {
    foreign = first_unmatched(to_, schema.key, same, from_, source->key, rewriter(schema.name), schema.name, o_.page_size);
  }
  if (foreign)
    throw Error(ErrorCode::conflict, to_.name + " holds other data: table " + schema.name + " has the item " +
                                         store::serialize_item(*foreign) +
                                         ", which the source does not hold as it is; pass --merge to copy into it "
                                         "anyway (its other items are kept)");
}

void Migration::copy_table(const store::TableSchema& target, const KeySchema& source_key) {
  const std::string& table = target.name;
  Item cursor = checkpoint_.table == table ? checkpoint_.cursor : Item{};
  if (!cursor.empty()) say(table + ": resuming after " + store::serialize_item(cursor));
  checkpoint_.table = table;
  BatchWriter writer([&](const std::vector<Item>& batch) { to_([&](Store& s) { s.batch_write(table, batch, {}); }); },
                     o_.writers);
  auto record_commits = [&] {  // the checkpoint follows the batches committed in order
    auto done = writer.committed();
    if (!done) return;
    checkpoint_.cursor = std::move(done->cursor);
    checkpoint_.copied += done->items;
    copied_ += done->items;
    save(false);
    if (o_.on_progress) o_.on_progress(std::min(checkpoint_.copied, total_), total_);
    if (o_.after_batch) o_.after_batch();
  };
  for (;;) {
    auto page = from_([&](Store& s) { return s.scan({table, o_.page_size, cursor}); });
    for (size_t i = 0; i < page.items.size(); i += kBatchItems) {
      size_t end = std::min(page.items.size(), i + kBatchItems);
      std::vector<Item> batch;
      for (size_t j = i; j < end; ++j) batch.push_back(rewrite(table, page.items[j]));
      writer.submit(std::move(batch), key_of(page.items[end - 1], source_key));
      record_commits();
    }
    if (page.last_evaluated_key.empty()) break;
    cursor = std::move(page.last_evaluated_key);
  }
  writer.finish();
  record_commits();
  say(table + ": copied");
  checkpoint_.done.insert(table);
  checkpoint_.table.clear();
  checkpoint_.cursor.clear();
  save();
}

MigrationResult Migration::run() {
  MigrationResult result;
  require_healthy(from_);
  require_healthy(to_);
  if (!o_.checkpoint.empty()) {
    if (auto c = Checkpoint::load(o_.checkpoint)) {
      if (c->from != o_.from_label || c->to != o_.to_label)
        throw Error(ErrorCode::bad_request, "checkpoint " + o_.checkpoint.string() + " is of another migration (from " +
                                                c->from + " to " + c->to + "); delete it or name another file");
      checkpoint_ = std::move(*c);
      result.resumed = true;
      say("resuming from checkpoint " + o_.checkpoint.string() + " (" + std::to_string(checkpoint_.copied) +
          " items copied before)");
    }
  }
  checkpoint_.from = o_.from_label;
  checkpoint_.to = o_.to_label;

  // The source's tables, counted and digested as they will be written.
  std::map<std::string, TableDigest> expected;
  for (auto& schema : o_.tables) {
    auto source = from_([&](Store& s) { return s.describe_table(schema.name); });
    source_schemas_[schema.name] = source;
    if (!source) {
      say(schema.name + ": not in the source");
      continue;
    }
    expected[schema.name] = digest_of(from_, schema.name, o_.page_size, rewriter(schema.name));
    total_ += expected[schema.name].count();
    say(schema.name + ": " + std::to_string(expected[schema.name].count()) + " items in the source");
  }

  if (!o_.merge && !result.resumed)
    for (auto& schema : o_.tables) refuse_other_data(schema);
  for (auto& schema : o_.tables) to_([&](Store& s) { s.ensure_table(schema); });
  save();

  for (auto& schema : o_.tables) {
    const auto& source = source_schemas_.at(schema.name);
    if (!source || checkpoint_.done.count(schema.name)) continue;
    copy_table(schema, source->key);
  }
  if (o_.on_progress) o_.on_progress(total_, total_);
  result.copied = copied_;

  for (auto& schema : o_.tables) {
    TableResult t{schema.name, source_schemas_.at(schema.name).has_value(), expected[schema.name], {}};
    t.target = digest_of(to_, schema.name, o_.page_size, same);
    bool ok = o_.merge ? t.target.count() >= t.source.count() : t.target == t.source;
    std::optional<Item> missing;
    if (ok && o_.merge && t.in_source)
      missing = first_unmatched(from_, source_schemas_.at(schema.name)->key, rewriter(schema.name), to_, schema.key,
                                same, schema.name, o_.page_size);
    if (!ok || missing)
      throw Error(ErrorCode::conflict,
                  "verification failed: table " + schema.name + ": source " + std::to_string(t.source.count()) +
                      " items, digest " + t.source.hex() + "; target " + std::to_string(t.target.count()) +
                      " items, digest " + t.target.hex() +
                      (missing ? "; the target lacks or differs in " + store::serialize_item(*missing) : "") +
                      " (did the source change during the migration?)");
    say(schema.name + ": verified, " + std::to_string(t.target.count()) + " items, digest " +
        t.target.hex().substr(0, 16));
    result.tables.push_back(std::move(t));
  }
  if (!o_.checkpoint.empty()) std::filesystem::remove(o_.checkpoint);
  return result;
}

TableResult Migration::compare(const std::string& table) {
  TableResult t{table, false, {}, {}};
  t.in_source = from_([&](Store& s) { return s.describe_table(table); }).has_value();
  if (t.in_source) t.source = digest_of(from_, table, o_.page_size, rewriter(table));
  if (to_([&](Store& s) { return s.describe_table(table); })) t.target = digest_of(to_, table, o_.page_size, same);
  return t;
}

}  // namespace

MigrationResult migrate(Store& from, Store& to, const MigrationOptions& options) {
  return Migration(from, to, options).run();
}

TableResult compare_table(Store& from, Store& to, const std::string& table, const MigrationOptions& options) {
  return Migration(from, to, options).compare(table);
}

}  // namespace k9::migrate
