#include "store/dynamodb/dynamodb_store.h"

#include <thread>

#include "aws/credentials_chain.h"
#include "core/random.h"
#include "store/dynamodb/error_mapping.h"
#include "store/dynamodb/key_condition.h"
#include "store/expr/expression.h"
#include "store/item_json.h"

namespace k9::store::dynamodb {

namespace json = boost::json;

namespace {

// Condition/update parameters: only present when non-empty (DynamoDB refuses empty maps).
void add_expression(json::object& req, const std::string& condition, const Names& names, const Values& values) {
  if (!condition.empty()) req["ConditionExpression"] = condition;
  if (!names.empty()) {
    json::object n;
    for (auto& [k, v] : names) n[k] = v;
    req["ExpressionAttributeNames"] = std::move(n);
  }
  if (!values.empty()) req["ExpressionAttributeValues"] = to_dynamo_json(values);
}

// One write's (or check's) request on `table`: the item or key under `field`, the condition.
template <class Request>
json::object write_json(const Request& r, const char* field, const Item& item) {
  json::object o{{"TableName", r.table}, {field, to_dynamo_json(item)}};
  add_expression(o, r.condition, r.names, r.values);
  return o;
}

json::object put_json(const PutRequest& r) { return write_json(r, "Item", r.item); }
json::object delete_json(const DeleteRequest& r) { return write_json(r, "Key", r.key); }
json::object check_json(const ConditionCheck& r) { return write_json(r, "Key", r.key); }
json::object update_json(const UpdateRequest& r) {
  json::object o = write_json(r, "Key", r.key);
  if (!r.update.empty()) o["UpdateExpression"] = r.update;
  return o;
}

Item item_of(const json::value& v) {
  try {
    return item_from_dynamo_json(v.as_object());
  } catch (const std::exception& e) {
    throw Unavailable(std::string("DynamoDB answered an unreadable item: ") + e.what());
  }
}

void sleep_or_give_up(aws::Backoff& backoff, const std::string& what) {
  auto delay = backoff.next_delay();
  if (!delay) throw Unavailable("DynamoDB left " + what + " unprocessed after " + std::to_string(backoff.attempts()) +
                                " attempts");
  std::this_thread::sleep_for(*delay);
}

}  // namespace

DynamoDbStore::DynamoDbStore(std::shared_ptr<aws::DynamoDbClient> client, DynamoDbStoreOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

json::object DynamoDbStore::call(const std::string& operation, const json::object& request) {
  try {
    return client_->call(operation, request);
  } catch (const aws::DynamoDbError& e) {
    throw_store_error(e);
  }
}

std::optional<TableDescription> DynamoDbStore::describe(const std::string& table) {
  json::object resp;
  try {
    resp = client_->call("DescribeTable", {{"TableName", table}});
  } catch (const aws::DynamoDbError& e) {
    if (e.type() == "ResourceNotFoundException") return std::nullopt;
    throw_store_error(e);
  }
  try {
    return parse_table_description(resp);
  } catch (const std::invalid_argument& e) {
    throw Unavailable(e.what());
  }
}

TableDescription DynamoDbStore::wait_active(const std::string& table) {
  auto deadline = std::chrono::steady_clock::now() + options_.wait_timeout;
  for (;;) {
    auto d = describe(table);
    if (d && d->active()) return *d;
    if (std::chrono::steady_clock::now() > deadline)
      throw Unavailable("table " + table + " did not become ACTIVE in time (status " + (d ? d->status : "absent") + ")");
    std::this_thread::sleep_for(options_.poll_interval);
  }
}

void DynamoDbStore::ensure_table(const TableSchema& schema) {
  auto say = [&](const std::string& line) {
    if (options_.on_change) options_.on_change(line);
  };
  auto current = describe(schema.name);
  if (!current) {
    try {
      client_->call("CreateTable", create_table_request(schema));
      say("created table " + schema.name);
    } catch (const aws::DynamoDbError& e) {
      if (e.type() != "ResourceInUseException") throw_store_error(e);  // in use: someone else created it
    }
  }
  TableDescription d = wait_active(schema.name);
  if (!same_key(d.schema.key, schema.key))
    throw ValidationError("table " + schema.name + " exists with another key schema than " + schema.key.partition_key +
                          (schema.key.has_sort_key() ? "+" + schema.key.sort_key : ""));
  for (auto& index : schema.indexes) {
    auto it = std::find_if(d.schema.indexes.begin(), d.schema.indexes.end(),
                           [&](const IndexSchema& i) { return i.name == index.name; });
    if (it != d.schema.indexes.end()) {
      if (!same_key(it->key, index.key))
        throw ValidationError("index " + index.name + " of " + schema.name + " exists with another key schema");
      continue;
    }
    try {
      client_->call("UpdateTable", create_index_request(schema, index));
      say("added index " + index.name + " to " + schema.name);
    } catch (const aws::DynamoDbError& e) {
      // Another process may be adding the same index at the same time.
      if (e.type() != "ResourceInUseException" && e.type() != "LimitExceededException") throw_store_error(e);
    }
    d = wait_active(schema.name);
  }
  std::lock_guard lock(mu_);
  schemas_[schema.name] = d.schema;
}

TableSchema DynamoDbStore::schema_of(const std::string& table) {
  {
    std::lock_guard lock(mu_);
    if (auto it = schemas_.find(table); it != schemas_.end()) return it->second;
  }
  auto d = describe(table);
  if (!d) throw ValidationError("ResourceNotFoundException: Requested resource not found: table " + table);
  std::lock_guard lock(mu_);
  return schemas_[table] = d->schema;
}

std::optional<Item> DynamoDbStore::get(const std::string& table, const Item& key) {
  auto resp = call("GetItem", {{"TableName", table}, {"Key", to_dynamo_json(key)}, {"ConsistentRead", true}});
  auto* item = resp.if_contains("Item");
  if (!item) return std::nullopt;
  return item_of(*item);
}

std::optional<Item> DynamoDbStore::own_write_in_place(const aws::DynamoDbError& e, const std::string& table,
                                                      const Item& key, const std::function<bool(const Item&)>& applied) {
  if (e.type() != "ConditionalCheckFailedException" || !e.earlier_attempt_may_have_applied()) return std::nullopt;
  auto current = get(table, key);
  if (current && applied(*current)) return current;
  return std::nullopt;
}

void DynamoDbStore::put(const PutRequest& r) {
  try {
    client_->call("PutItem", put_json(r));
  } catch (const aws::DynamoDbError& e) {
    if (e.type() == "ConditionalCheckFailedException" && e.earlier_attempt_may_have_applied()) {
      const KeySchema key_schema = schema_of(r.table).key;
      Item key;
      for (const std::string& name : {key_schema.partition_key, key_schema.sort_key})
        if (auto it = r.item.find(name); !name.empty() && it != r.item.end()) key.insert(*it);
      if (own_write_in_place(e, r.table, key, [&](const Item& now) { return now == r.item; })) return;
    }
    throw_store_error(e);
  }
}

Item DynamoDbStore::update(const UpdateRequest& r) {
  json::object req = update_json(r);
  req["ReturnValues"] = "ALL_NEW";
  json::object resp;
  try {
    resp = client_->call("UpdateItem", req);
  } catch (const aws::DynamoDbError& e) {
    auto again_changes_nothing = [&](const Item& now) {
      if (r.update.empty()) return true;  // only makes sure the item exists
      try {
        Item after = now;
        expr::cached_update(r.update)->apply(after, r.names, r.values);
        return after == now;
      } catch (const ValidationError&) {
        return false;
      }
    };
    if (auto now = own_write_in_place(e, r.table, r.key, again_changes_nothing)) return *now;
    throw_store_error(e);
  }
  auto* attrs = resp.if_contains("Attributes");
  return attrs ? item_of(*attrs) : r.key;
}

std::optional<Item> DynamoDbStore::remove(const DeleteRequest& r) {
  json::object req = delete_json(r);
  req["ReturnValues"] = "ALL_OLD";
  auto resp = call("DeleteItem", req);
  auto* attrs = resp.if_contains("Attributes");
  if (!attrs) return std::nullopt;
  return item_of(*attrs);
}

json::object DynamoDbStore::query_request(const QueryRequest& q) {
  TableSchema schema = schema_of(q.table);
  const KeySchema* key = &schema.key;
  if (!q.index.empty()) {
    auto it = std::find_if(schema.indexes.begin(), schema.indexes.end(),
                           [&](const IndexSchema& i) { return i.name == q.index; });
    if (it == schema.indexes.end())
      throw ValidationError("The table does not have the specified index: " + q.index + " (table " + q.table + ")");
    key = &it->key;
  }
  KeyConditionExpression k = key_condition(*key, q);
  json::object req{{"TableName", q.table}, {"KeyConditionExpression", k.expression}, {"ScanIndexForward", q.forward}};
  add_expression(req, "", k.names, k.values);
  if (q.index.empty()) req["ConsistentRead"] = true;
  else req["IndexName"] = q.index;
  return req;
}

QueryResult DynamoDbStore::query(const QueryRequest& q) {
  json::object req = query_request(q);
  if (q.limit != 0) req["Limit"] = q.limit;
  if (!q.exclusive_start_key.empty()) req["ExclusiveStartKey"] = to_dynamo_json(q.exclusive_start_key);
  QueryResult result;
  for (;;) {
    auto resp = call("Query", req);
    if (auto* items = resp.if_contains("Items"))
      for (auto& i : items->as_array()) result.items.push_back(item_of(i));
    auto* lek = resp.if_contains("LastEvaluatedKey");
    if (!lek) return result;
    if (q.limit != 0) {
      result.last_evaluated_key = item_of(*lek);
      return result;
    }
    req["ExclusiveStartKey"] = *lek;  // no limit: every page
  }
}

size_t DynamoDbStore::count(const QueryRequest& q) {
  json::object req = query_request(q);
  req["Select"] = "COUNT";
  size_t total = 0;
  for (;;) {
    auto resp = call("Query", req);
    total += static_cast<size_t>(resp.at("Count").to_number<int64_t>());
    auto* lek = resp.if_contains("LastEvaluatedKey");
    if (!lek) return total;
    req["ExclusiveStartKey"] = *lek;
  }
}

QueryResult DynamoDbStore::scan(const ScanRequest& r) {
  json::object req{{"TableName", r.table}, {"ConsistentRead", true}};
  if (r.limit != 0) req["Limit"] = r.limit;
  if (r.total_segments != 1 || r.segment != 0) {
    req["Segment"] = r.segment;
    req["TotalSegments"] = r.total_segments;
  }
  if (!r.exclusive_start_key.empty()) {
    // A resumed scan may name a whole item: DynamoDB takes only its key attributes.
    const KeySchema key = schema_of(r.table).key;
    Item start;
    for (const std::string& name : {key.partition_key, key.sort_key})
      if (auto it = r.exclusive_start_key.find(name); !name.empty() && it != r.exclusive_start_key.end())
        start.insert(*it);
    req["ExclusiveStartKey"] = to_dynamo_json(start);
  }
  auto resp = call("Scan", req);
  QueryResult result;
  if (auto* items = resp.if_contains("Items"))
    for (auto& i : items->as_array()) result.items.push_back(item_of(i));
  if (auto* lek = resp.if_contains("LastEvaluatedKey")) result.last_evaluated_key = item_of(*lek);
  return result;
}

std::optional<TableSchema> DynamoDbStore::describe_table(const std::string& table) {
  auto d = describe(table);
  if (!d) return std::nullopt;
  return d->schema;
}

std::vector<Item> DynamoDbStore::batch_get(const std::string& table, const std::vector<Item>& keys) {
  std::vector<Item> items;
  if (keys.empty()) return items;
  json::array key_json;
  for (auto& k : keys) key_json.push_back(to_dynamo_json(k));
  json::object request_items{{table, json::object{{"Keys", std::move(key_json)}, {"ConsistentRead", true}}}};
  aws::Backoff backoff(options_.unprocessed_retry);
  for (;;) {
    auto resp = call("BatchGetItem", {{"RequestItems", request_items}});
    if (auto* r = resp.if_contains("Responses"); r && r->as_object().contains(table))
      for (auto& i : r->as_object().at(table).as_array()) items.push_back(item_of(i));
    auto* un = resp.if_contains("UnprocessedKeys");
    if (!un || un->as_object().empty()) return items;
    request_items = un->as_object();
    sleep_or_give_up(backoff, "keys of BatchGetItem");
  }
}

void DynamoDbStore::batch_write(const std::string& table, const std::vector<Item>& puts,
                                const std::vector<Item>& delete_keys) {
  if (puts.empty() && delete_keys.empty()) return;
  json::array writes;
  for (auto& i : puts) writes.push_back(json::object{{"PutRequest", json::object{{"Item", to_dynamo_json(i)}}}});
  for (auto& k : delete_keys) writes.push_back(json::object{{"DeleteRequest", json::object{{"Key", to_dynamo_json(k)}}}});
  json::object request_items{{table, std::move(writes)}};
  aws::Backoff backoff(options_.unprocessed_retry);
  for (;;) {
    auto resp = call("BatchWriteItem", {{"RequestItems", request_items}});
    auto* un = resp.if_contains("UnprocessedItems");
    if (!un || un->as_object().empty()) return;
    request_items = un->as_object();
    sleep_or_give_up(backoff, "items of BatchWriteItem");
  }
}

void DynamoDbStore::transact_write(const std::vector<TransactItem>& items) {
  json::array tx;
  for (auto& ti : items) {
    std::visit(
        [&](auto& r) {
          using R = std::decay_t<decltype(r)>;
          if constexpr (std::is_same_v<R, PutRequest>) tx.push_back(json::object{{"Put", put_json(r)}});
          else if constexpr (std::is_same_v<R, UpdateRequest>) tx.push_back(json::object{{"Update", update_json(r)}});
          else if constexpr (std::is_same_v<R, DeleteRequest>) tx.push_back(json::object{{"Delete", delete_json(r)}});
          else tx.push_back(json::object{{"ConditionCheck", check_json(r)}});
        },
        ti);
  }
  call("TransactWriteItems", {{"TransactItems", std::move(tx)}, {"ClientRequestToken", new_uuid()}});
}

bool DynamoDbStore::healthy() {
  try {
    call("ListTables", {{"Limit", 1}});
    return true;
  } catch (const StoreError&) {
    return false;
  }
}

std::unique_ptr<DynamoDbStore> open_from_environment(DynamoDbStoreOptions options) {
  auto client = std::make_shared<aws::DynamoDbClient>(aws::DynamoDbOptions::from_env(), aws::default_credentials());
  return std::make_unique<DynamoDbStore>(std::move(client), std::move(options));
}

}  // namespace k9::store::dynamodb
