#include "store/observed_store.h"

namespace k9::store {

void ObservedStore::ensure_table(const TableSchema& schema) {
  timed_call(tap_, "store.ensure_table", [&] { inner_.ensure_table(schema); });
}
std::optional<Item> ObservedStore::get(const std::string& table, const Item& key) {
  return timed_call(tap_, "store.get", [&] { return inner_.get(table, key); });
}
void ObservedStore::put(const PutRequest& request) {
  timed_call(tap_, "store.put", [&] { inner_.put(request); });
}
Item ObservedStore::update(const UpdateRequest& request) {
  return timed_call(tap_, "store.update", [&] { return inner_.update(request); });
}
std::optional<Item> ObservedStore::remove(const DeleteRequest& request) {
  return timed_call(tap_, "store.remove", [&] { return inner_.remove(request); });
}
QueryResult ObservedStore::query(const QueryRequest& request) {
  return timed_call(tap_, "store.query", [&] { return inner_.query(request); });
}
size_t ObservedStore::count(const QueryRequest& request) {
  return timed_call(tap_, "store.count", [&] { return inner_.count(request); });
}
QueryResult ObservedStore::scan(const ScanRequest& request) {
  return timed_call(tap_, "store.scan", [&] { return inner_.scan(request); });
}
std::optional<TableSchema> ObservedStore::describe_table(const std::string& table) {
  return timed_call(tap_, "store.describe_table", [&] { return inner_.describe_table(table); });
}
std::vector<Item> ObservedStore::batch_get(const std::string& table, const std::vector<Item>& keys) {
  return timed_call(tap_, "store.batch_get", [&] { return inner_.batch_get(table, keys); });
}
void ObservedStore::batch_write(const std::string& table, const std::vector<Item>& puts,
                                const std::vector<Item>& delete_keys) {
  timed_call(tap_, "store.batch_write", [&] { inner_.batch_write(table, puts, delete_keys); });
}
void ObservedStore::transact_write(const std::vector<TransactItem>& items) {
  timed_call(tap_, "store.transact_write", [&] { inner_.transact_write(items); });
}

}  // namespace k9::store
