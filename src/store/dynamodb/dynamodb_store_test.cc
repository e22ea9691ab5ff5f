// The DynamoDB adapter on DynamoDB Local (started once for this binary): the store
// conformance suite, and what is particular to DynamoDB (tables, indexes, errors).
#include "store/dynamodb/dynamodb_store.h"

#include <gtest/gtest.h>

#include "core/encoding.h"
#include "core/random.h"
#include "store/dynamodb/dynamodb_local.h"
#include "store/dynamodb/error_mapping.h"
#include "store/store_conformance.h"

namespace k9::store::dynamodb {
namespace {

using AV = AttributeValue;

testing::Environment* const local_env = testing::AddGlobalTestEnvironment(new DynamoDbLocalEnvironment);

std::shared_ptr<Store> shared_dynamodb() { return dynamodb_local().store; }

INSTANTIATE_TEST_SUITE_P(DynamoDbLocal, StoreConformance, testing::Values(StoreTarget{"dynamodb", shared_dynamodb}),
                         [](const auto&) { return std::string("dynamodb"); });

std::string unique(const std::string& prefix) { return prefix + "-" + hex_encode(random_bytes(4)); }

DynamoDbStore& store() { return *dynamodb_local().store; }

TEST(DynamoDbStore, EnsureTableAddsMissingIndexesAndKeepsItems) {
  std::string t = unique("ddb-addindex");
  std::vector<std::string> changes;
  aws::DynamoDbOptions o;
  o.endpoint = dynamodb_local().endpoint;
  DynamoDbStoreOptions so;
  so.poll_interval = std::chrono::milliseconds(50);
  so.on_change = [&](const std::string& line) { changes.push_back(line); };
  DynamoDbStore s(std::make_shared<aws::DynamoDbClient>(o, dynamodb_local_credentials()), so);

  s.ensure_table({t, {"id", AttrType::S}});
  s.put({t, {{"id", AV::S("a")}, {"owner", AV::S("o")}, {"n", AV::N(3)}}});
  s.ensure_table({t, {"id", AttrType::S}, {{"ByOwner", {"owner", AttrType::S, "n", AttrType::N}}}});
  EXPECT_EQ(changes, (std::vector<std::string>{"created table " + t, "added index ByOwner to " + t}));
  EXPECT_TRUE(s.get(t, {{"id", AV::S("a")}}));
  // The index is backfilled (eventually, in DynamoDB; DynamoDB Local does it at once).
  size_t n = 0;
  for (int i = 0; i < 50 && n == 0; ++i) {
    n = s.count({t, "ByOwner", AV::S("o")});
    if (!n) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(n, 1u);
  changes.clear();
  s.ensure_table({t, {"id", AttrType::S}, {{"ByOwner", {"owner", AttrType::S, "n", AttrType::N}}}});
  EXPECT_TRUE(changes.empty()) << "nothing to change the second time";
  EXPECT_THROW(s.ensure_table({t, {"other", AttrType::S}}), ValidationError);
}

TEST(DynamoDbStore, ReservedWordsAsKeyNamesWork) {
  std::string t = unique("ddb-reserved");
  store().ensure_table({t, {"name", AttrType::S, "date", AttrType::N}});
  for (int i = 0; i < 3; ++i) store().put({t, {{"name", AV::S("x")}, {"date", AV::N(i)}}});
  QueryRequest q{t, "", AV::S("x"), SortCondition{SortOp::GE, AV::N(1)}};
  EXPECT_EQ(store().query(q).items.size(), 2u);
  EXPECT_EQ(store().count(q), 2u);
}

TEST(DynamoDbStore, QueryWithoutLimitFollowsEveryPage) {
  std::string t = unique("ddb-pages");
  store().ensure_table({t, {"pk", AttrType::S, "sk", AttrType::N}});
  std::string big(200 * 1024, 'x');  // 6 items of 200 KB: more than one 1 MB page
  for (int i = 0; i < 6; ++i) store().put({t, {{"pk", AV::S("p")}, {"sk", AV::N(i)}, {"blob", AV::S(big)}}});
  auto r = store().query({t, "", AV::S("p")});
  EXPECT_EQ(r.items.size(), 6u);
  EXPECT_TRUE(r.last_evaluated_key.empty());
  EXPECT_EQ(store().count({t, "", AV::S("p")}), 6u);
}

TEST(DynamoDbStore, ValidationErrorsSayWhatWasSent) {
  std::string t = unique("ddb-valid");
  store().ensure_table({t, {"id", AttrType::S}});
  try {
    store().put({t, {{"id", AV::S("a")}}, "x = :undefined"});
    FAIL();
  } catch (const ValidationError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("ValidationException"), std::string::npos) << m;
    EXPECT_NE(m.find("PutItem"), std::string::npos) << m;
    EXPECT_NE(m.find(":undefined"), std::string::npos) << m;
  }
  EXPECT_THROW(store().get(unique("ddb-absent"), {{"id", AV::S("a")}}), ValidationError);
  EXPECT_THROW(store().query({t, "NoSuchIndex", AV::S("a")}), ValidationError);
  std::vector<Item> many;
  for (int i = 0; i < 26; ++i) many.push_back({{"id", AV::S(std::to_string(i))}});
  EXPECT_THROW(store().batch_write(t, many, {}), ValidationError);
}

TEST(DynamoDbStore, UnreachableEndpointIsUnavailable) {
  aws::DynamoDbOptions o;
  o.endpoint = "http://127.0.0.1:1";
  o.retry = {3, std::chrono::milliseconds(1), std::chrono::milliseconds(5), std::chrono::milliseconds(2000)};
  DynamoDbStore s(std::make_shared<aws::DynamoDbClient>(o, dynamodb_local_credentials()));
  EXPECT_THROW(s.get("t", {{"id", AV::S("a")}}), Unavailable);
  EXPECT_FALSE(s.healthy());
  EXPECT_TRUE(store().healthy());
}

TEST(ErrorMapping, CancellationReasonsFromBodyOrMessage) {
  aws::DynamoDbError with_body(aws::DynamoDbError::Kind::service, "TransactionCanceledException", "x", 400,
                               boost::json::parse(R"({"CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"m"}]})").as_object(),
                               "TransactWriteItems", "{}");
  EXPECT_EQ(cancellation_reasons(with_body), (std::vector<std::string>{"None", "ConditionalCheckFailed"}));
  aws::DynamoDbError with_message(aws::DynamoDbError::Kind::service, "TransactionCanceledException",
                                  "Transaction cancelled, please refer cancellation reasons for specific reasons "
                                  "[None, TransactionConflict, ConditionalCheckFailed]",
                                  400, {}, "TransactWriteItems", "{}");
  EXPECT_EQ(cancellation_reasons(with_message),
            (std::vector<std::string>{"None", "TransactionConflict", "ConditionalCheckFailed"}));
  EXPECT_THROW(throw_store_error(with_body), TransactionCanceled);
  aws::DynamoDbError throttled(aws::DynamoDbError::Kind::unavailable, "ThrottlingException", "rate", 400, {}, "PutItem", "{}");
  EXPECT_THROW(throw_store_error(throttled), Unavailable);
}

}  // namespace
}  // namespace k9::store::dynamodb
