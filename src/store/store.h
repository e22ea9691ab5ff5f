// The store: one interface shaped like DynamoDB's data model, implemented by the SQLite
// adapter (store/sqlite) and the DynamoDB adapter (store/dynamodb). Every implementation
// passes the conformance suite in store/store_conformance_suite.cc.
//
// Contract, for every implementation:
//  - Tables are created with ensure_table() before use; it changes nothing that exists.
//    Table and index names are physical names (e.g. "k9-users-dev").
//  - Keys are the table's partition key and optional sort key, typed S, N or B. A key map
//    passed to get/update/remove holds exactly the key attributes.
//  - Condition and update expressions have DynamoDB's syntax and meaning, with `#name` and
//    `:value` placeholders resolved through `names` and `values`:
//      conditions: attribute_exists(p), attribute_not_exists(p), attribute_type(p, :t),
//        begins_with(p, :v), contains(p, :v), size(p), = <> < <= > >=, BETWEEN, IN,
//        AND, OR, NOT, parentheses; paths with .field and [index].
//      updates: SET p = v | v + v | v - v | if_not_exists(p, v) | list_append(a, b),
//        REMOVE p, ADD p v (numbers and sets), DELETE p v (sets).
//  - A write whose condition is false changes nothing and throws ConditionFailed.
//  - A write returns only after it is durable: a crash after return loses nothing.
//  - Secondary indexes hold every item that has the index key attributes (sparse), with all
//    attributes projected; queries on them are eventually consistent in DynamoDB and
//    immediately consistent in SQLite.
//  - query() returns items in sort-key order (forward or backward). With `limit` it
//    returns at most that many and a `last_evaluated_key` to pass as `exclusive_start_key`
//    to continue; `last_evaluated_key` is empty when nothing is left (SQLite) or may be
//    present with a following empty page (DynamoDB).
//  - scan() reads a whole table page by page (DynamoDB's Scan), each page strongly
//    consistent. Order: fixed for a table's contents but the store's own (SQLite: by
//    encoded key; DynamoDB: by the hash of the partition key, then the sort key); callers
//    must not rely on it. A page holds at most `limit` items (0: the store's page, at most
//    1 MB of items as DynamoDB counts them) and a `last_evaluated_key`, empty when nothing is
//    left (SQLite) or possibly followed by an empty page (DynamoDB). The cursor is opaque but
//    durable: `exclusive_start_key` may be the last_evaluated_key of any earlier page or the
//    key attributes of any item a scan of the table returned, in this process or another
//    (a job resumes after the last item it handled). With total_segments N > 1, segment i
//    covers one part of the table (split by partition key: a partition's items stay in one
//    segment); the N segments together return every item once and may run in parallel.
//    Concurrent writes: a scan is not a snapshot. An item present and unchanged for the
//    whole scan is returned exactly once; one written, changed or deleted meanwhile may be
//    missed, or returned once in either its old or its new form.
//  - describe_table() answers a table's key and secondary indexes as the store has them, or
//    nullopt when the table does not exist (a table made by another program included).
//  - transact_write() applies all of its items or none; if any condition fails it throws
//    TransactionCanceled with one reason per item ("None", "ConditionalCheckFailed", ...).
//    One item may appear only once in a transaction; at most 100 items.
//  - Errors: ConditionFailed, TransactionCanceled, ValidationError (a request the store can
//    never accept: a bug of the caller), Unavailable (try again later: throttled, disk full,
//    network). Nothing else escapes.
#pragma once
#include "core/error.h"
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "store/item.h"

namespace k9::store {

struct KeySchema {
  std::string partition_key;
  AttrType partition_type = AttrType::S;
  std::string sort_key;  // empty: no sort key
  AttrType sort_type = AttrType::S;
  bool has_sort_key() const { return !sort_key.empty(); }
};

struct IndexSchema {
  std::string name;
  KeySchema key;
};

struct TableSchema {
  std::string name;
  KeySchema key;
  std::vector<IndexSchema> indexes;  // global secondary indexes, projection ALL
};

using Names = std::map<std::string, std::string>;  // "#n" -> attribute name
using Values = Item;                               // ":v" -> value

struct PutRequest {
  std::string table;
  Item item;
  std::string condition;  // empty: unconditional
  Names names;
  Values values;
};

struct UpdateRequest {
  std::string table;
  Item key;
  std::string update;     // SET/REMOVE/ADD/DELETE clauses
  std::string condition;  // empty: unconditional (the item is created when absent)
  Names names;
  Values values;
};

struct DeleteRequest {
  std::string table;
  Item key;
  std::string condition;
  Names names;
  Values values;
};

struct ConditionCheck {
  std::string table;
  Item key;
  std::string condition;
  Names names;
  Values values;
};

using TransactItem = std::variant<PutRequest, UpdateRequest, DeleteRequest, ConditionCheck>;

enum class SortOp { EQ, LT, LE, GT, GE, BETWEEN, BEGINS_WITH };

struct SortCondition {
  SortOp op = SortOp::EQ;
  AttributeValue value;
  AttributeValue value2;  // BETWEEN's upper bound (inclusive)
};

struct QueryRequest {
  std::string table;
  std::string index;  // empty: the table's own key
  AttributeValue partition;
  std::optional<SortCondition> sort;
  bool forward = true;
  int limit = 0;  // 0: no limit
  Item exclusive_start_key;  // empty: from the start
};

struct ScanRequest {
  std::string table;
  int limit = 0;             // 0: the store's page size
  Item exclusive_start_key;  // empty: from the start
  int segment = 0;           // 0 <= segment < total_segments
  int total_segments = 1;    // 1..1000000
};

struct QueryResult {
  std::vector<Item> items;
  Item last_evaluated_key;  // empty: no more
};

// The store's failures are k9::Error (core/error.h), translated here at the port, once:
// a condition that did not hold and a cancelled transaction are conflicts (repositories turn
// them into not_found or a retry); a request the backend refuses is a bug of ours (internal);
// an unavailable backend is transient (unavailable, Retry-After 2). what() keeps the
// backend's own words for logs; message() is what a client may see.
class StoreError : public Error {
 public:
  explicit StoreError(const std::string& detail) : Error(ErrorCode::internal, "internal error", detail, 0) {}

 protected:
  StoreError(ErrorCode code, std::string message, const std::string& detail, int retry_after)
      : Error(code, std::move(message), detail, retry_after) {}
};
class ConditionFailed : public StoreError {
 public:
  ConditionFailed()
      : StoreError(ErrorCode::conflict, "The item changed meanwhile; try again", "The conditional request failed", 0) {}
};
class TransactionCanceled : public StoreError {
 public:
  explicit TransactionCanceled(std::vector<std::string> reasons);
  const std::vector<std::string>& reasons() const { return reasons_; }

 private:
  std::vector<std::string> reasons_;
};
class ValidationError : public StoreError {
 public:
  using StoreError::StoreError;
};
class Unavailable : public StoreError {
 public:
  explicit Unavailable(const std::string& detail)
      : StoreError(ErrorCode::unavailable, "The store is unavailable; try again", detail, 2) {}
};

class Store {
 public:
  virtual ~Store() = default;

  virtual void ensure_table(const TableSchema& schema) = 0;

  // Strongly consistent read; nullopt when absent.
  virtual std::optional<Item> get(const std::string& table, const Item& key) = 0;

  virtual void put(const PutRequest& request) = 0;

  // Returns the item as it is after the update (ALL_NEW).
  virtual Item update(const UpdateRequest& request) = 0;

  // Returns the deleted item, or nullopt when there was none (and the condition held).
  virtual std::optional<Item> remove(const DeleteRequest& request) = 0;

  virtual QueryResult query(const QueryRequest& request) = 0;

  // Number of items matching the request's partition and sort condition (ignores limit
  // and start key).
  virtual size_t count(const QueryRequest& request) = 0;

  // One page of a whole-table scan (see the contract above).
  virtual QueryResult scan(const ScanRequest& request) = 0;

  // The table's schema as the store has it; nullopt when there is no such table.
  virtual std::optional<TableSchema> describe_table(const std::string& table) = 0;

  // Items for the keys that exist, in no particular order. At most 100 keys.
  virtual std::vector<Item> batch_get(const std::string& table, const std::vector<Item>& keys) = 0;

  // Unconditional puts and deletes (by key), at most 25 in all; not atomic as a whole but
  // each one is durable on return.
  virtual void batch_write(const std::string& table, const std::vector<Item>& puts,
                           const std::vector<Item>& delete_keys) = 0;

  virtual void transact_write(const std::vector<TransactItem>& items) = 0;

  // True when the store can answer (used by /healthz).
  virtual bool healthy() = 0;

  // True when a read is answered from this machine without waiting on a network or a lock
  // held by a writer (SQLite in WAL mode): callers may then read on a thread that must not
  // block. False (the safe answer) for a remote store.
  virtual bool reads_are_local() const { return false; }
  // True when this process is the store's only writer (an embedded file it holds open):
  // it may then cache what it read, and take up work its own crash left half done.
  virtual bool single_writer() const { return false; }
  // Calls to the backend this adapter repeated after a transient failure, since it was
  // opened (a counter for metrics); 0 for an adapter that never retries.
  virtual uint64_t retries() const { return 0; }
};

}  // namespace k9::store
