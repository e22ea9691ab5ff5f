// The DynamoDB adapter of the store interface (store/store.h): every Store operation as
// one or a few DynamoDB calls, with the contract of store/store.h and these specifics:
//  - Conditions and updates are passed through as DynamoDB expressions with the caller's
//    placeholders; DynamoDB evaluates them (and validates them: its ValidationException is
//    the store's ValidationError).
//  - get() and table queries read strongly consistent; index queries are eventually
//    consistent, as DynamoDB's global secondary indexes are.
//  - query() without a limit follows LastEvaluatedKey until the end; with a limit it makes
//    one call and returns DynamoDB's LastEvaluatedKey (possibly followed by an empty page).
//    count() uses Select=COUNT over every page. scan() is one Scan call (ConsistentRead,
//    Segment/TotalSegments when segmented) and answers DynamoDB's LastEvaluatedKey.
//  - batch_get()/batch_write() resend UnprocessedKeys/UnprocessedItems with backoff and
//    throw Unavailable when the retry budget is spent.
//  - transact_write() is one TransactWriteItems with a fresh ClientRequestToken, so the
//    client's retries of it are idempotent.
//  - A put or update whose earlier attempt may have been applied with its answer lost (see
//    aws/dynamodb_client.h), and whose retry then fails its condition, reads the item back
//    (strongly consistent): when the item already is what the write makes it -- the put's
//    item exactly, or the item unchanged by applying the update once more -- the write is a
//    success (the update returns that item). So a create retried after it happened is not
//    a conflict, nor a version-conditioned update a lost race. Updates that are not
//    idempotent (ADD to a number, list_append) never look applied: they stay failed.
//    Deletes are not second-guessed.
//  - ensure_table() creates a missing table (PAY_PER_REQUEST, GSIs projecting ALL), adds
//    missing GSIs one by one with UpdateTable, waits until table and indexes are ACTIVE, and
//    changes nothing else; a table whose key differs is a ValidationError.
//  - Key schemas are learnt from DescribeTable once per table and cached.
#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "aws/dynamodb_client.h"
#include "store/dynamodb/table_description.h"
#include "store/store.h"

namespace k9::store::dynamodb {

struct DynamoDbStoreOptions {
  std::chrono::milliseconds poll_interval{500};        // while waiting for ACTIVE
  std::chrono::milliseconds wait_timeout{15 * 60 * 1000};
  aws::RetryPolicy unprocessed_retry{10, std::chrono::milliseconds(50), std::chrono::milliseconds(2000),
                                     std::chrono::milliseconds(30000)};
  // Called with a line for each change ensure_table() makes ("created table t", ...).
  std::function<void(const std::string&)> on_change;
};

class DynamoDbStore : public Store {
 public:
  explicit DynamoDbStore(std::shared_ptr<aws::DynamoDbClient> client, DynamoDbStoreOptions options = {});

  void ensure_table(const TableSchema& schema) override;
  std::optional<Item> get(const std::string& table, const Item& key) override;
  void put(const PutRequest& request) override;
  Item update(const UpdateRequest& request) override;
  std::optional<Item> remove(const DeleteRequest& request) override;
  QueryResult query(const QueryRequest& request) override;
  size_t count(const QueryRequest& request) override;
  QueryResult scan(const ScanRequest& request) override;
  std::optional<TableSchema> describe_table(const std::string& table) override;
  std::vector<Item> batch_get(const std::string& table, const std::vector<Item>& keys) override;
  void batch_write(const std::string& table, const std::vector<Item>& puts,
                   const std::vector<Item>& delete_keys) override;
  void transact_write(const std::vector<TransactItem>& items) override;
  bool healthy() override;

  aws::DynamoDbClient& client() { return *client_; }
  uint64_t retries() const override { return client_->retries(); }

 private:
  boost::json::object call(const std::string& operation, const boost::json::object& request);
  std::optional<TableDescription> describe(const std::string& table);
  TableDescription wait_active(const std::string& table);
  TableSchema schema_of(const std::string& table);
  boost::json::object query_request(const QueryRequest& q);
  // After a failed condition: the item as it is now when `applied` says it already carries
  // this call's own earlier write, else nullopt.
  std::optional<Item> own_write_in_place(const aws::DynamoDbError& e, const std::string& table, const Item& key,
                                         const std::function<bool(const Item&)>& applied);

  std::shared_ptr<aws::DynamoDbClient> client_;
  DynamoDbStoreOptions options_;
  std::mutex mu_;
  std::map<std::string, TableSchema> schemas_;
};

// A store for `--store dynamodb`: region and endpoint from the environment, the default
// credentials chain (environment, shared files, container).
std::unique_ptr<DynamoDbStore> open_from_environment(DynamoDbStoreOptions options = {});

}  // namespace k9::store::dynamodb
