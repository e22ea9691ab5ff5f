// Writes whose answer is lost, on the real DynamoDB Local: a loopback proxy forwards every
// request to DynamoDB Local, so each write really happens, and cuts the connection instead of
// answering the first attempt of the operations it is told to. The client retries; these tests
// pin what the adapter makes of the retry (dynamodb_store.h).
#include <gtest/gtest.h>

#include <mutex>
#include <set>

#include "aws/http_client.h"
#include "aws/loopback_http_server.h"
#include "core/encoding.h"
#include "core/random.h"
#include "store/dynamodb/dynamodb_local.h"
#include "store/dynamodb/dynamodb_store.h"

namespace k9::store::dynamodb {
namespace {

using AV = AttributeValue;
using aws::testing::LoopbackHttpServer;
using aws::testing::ServedRequest;
using aws::testing::ServedResponse;

std::string unique(const std::string& prefix) { return prefix + "-" + hex_encode(random_bytes(4)); }

class LosingProxy {
 public:
  LosingProxy()
      : server_([this](const ServedRequest& r) { return serve(r); }) {
    aws::DynamoDbOptions o;
    o.endpoint = server_.url();
    o.retry = {5, std::chrono::milliseconds(1), std::chrono::milliseconds(5), std::chrono::milliseconds(5000)};
    store_ = std::make_unique<DynamoDbStore>(std::make_shared<aws::DynamoDbClient>(o, dynamodb_local_credentials()));
  }

  // The next first attempt of `operation` is applied by DynamoDB Local and its answer lost.
  void lose_first(const std::string& operation) {
    std::lock_guard lock(mu_);
    lose_.insert(operation);
  }
  std::vector<std::string> bodies(const std::string& operation) {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (auto& [op, body] : seen_)
      if (op == operation) out.push_back(body);
    return out;
  }
  DynamoDbStore& store() { return *store_; }

 private:
  ServedResponse serve(const ServedRequest& r) {
    std::string target = r.headers.count("x-amz-target") ? r.headers.at("x-amz-target") : "";
    std::string op = target.substr(target.find('.') + 1);
    aws::HttpRequest forward{"POST", dynamodb_local().endpoint + "/", {}, r.body};
    for (auto& [k, v] : r.headers)
      if (k != "host" && k != "content-length" && k != "connection") forward.headers.emplace_back(k, v);
    aws::HttpResult result = upstream_.send(forward);
    bool lose;
    {
      std::lock_guard lock(mu_);
      seen_.emplace_back(op, r.body);
      lose = lose_.erase(op) > 0;
    }
    if (lose || !result.ok()) return {.status = 0, .headers = {}, .body = {}, .cut = true};
    ServedResponse out{result.response().status, {}, result.response().body};
    for (auto& [k, v] : result.response().headers)
      if (k == "content-type" || k == "x-amz-crc32") out.headers.emplace_back(k, v);
    return out;
  }

  aws::HttpClient upstream_;
  std::mutex mu_;
  std::set<std::string> lose_;
  std::vector<std::pair<std::string, std::string>> seen_;
  LoopbackHttpServer server_;  // last: its threads stop before the members they use go
  std::unique_ptr<DynamoDbStore> store_;
};

TEST(LostAnswer, ACreateRetriedAfterItHappenedSucceedsAndADifferentOneStillConflicts) {
  LosingProxy proxy;
  std::string t = unique("lost-put");
  proxy.store().ensure_table({t, {"id", AttrType::S}});
  Item item{{"id", AV::S("a")}, {"n", AV::N("12.50")}, {"tags", AV::L({AV::S("x")})}};
  proxy.lose_first("PutItem");
  EXPECT_NO_THROW(proxy.store().put({t, item, "attribute_not_exists(id)"}));
  EXPECT_EQ(proxy.bodies("PutItem").size(), 2u);

  // Another item under the same key: its retry finds someone else's item, a real conflict.
  proxy.lose_first("PutItem");
  Item other{{"id", AV::S("a")}, {"n", AV::N(13)}};
  EXPECT_THROW(proxy.store().put({t, other, "attribute_not_exists(id)"}), ConditionFailed);
  EXPECT_EQ(*proxy.store().get(t, {{"id", AV::S("a")}}), item);

  // Without a lost answer, a failed condition is a failed condition, even for the same item.
  EXPECT_THROW(proxy.store().put({t, item, "attribute_not_exists(id)"}), ConditionFailed);
}

TEST(LostAnswer, AVersionedUpdateRetriedAfterItHappenedSucceedsWithTheNewItem) {
  LosingProxy proxy;
  std::string t = unique("lost-update");
  proxy.store().ensure_table({t, {"id", AttrType::S}});
  proxy.store().put({t, {{"id", AV::S("r")}, {"version", AV::N(1)}, {"favorites", AV::L({})}}});
  proxy.lose_first("UpdateItem");
  Item after = proxy.store().update({t,
                                     {{"id", AV::S("r")}},
                                     "SET favorites = :f, version = :next REMOVE gone",
                                     "version = :v",
                                     {},
                                     {{":f", AV::L({AV::S("p1")})}, {":next", AV::N(2)}, {":v", AV::N(1)}}});
  EXPECT_EQ(after.at("version"), AV::N(2));
  EXPECT_EQ(after.at("favorites"), AV::L({AV::S("p1")}));
  EXPECT_EQ(proxy.bodies("UpdateItem").size(), 2u);

  // A stale version without a lost answer still loses.
  EXPECT_THROW(proxy.store().update({t, {{"id", AV::S("r")}}, "SET version = :next", "version = :v", {},
                                     {{":next", AV::N(2)}, {":v", AV::N(1)}}}),
               ConditionFailed);
}

TEST(LostAnswer, AnUpdateThatIsNotIdempotentStaysFailedWhenItsRetryFailsItsCondition) {
  LosingProxy proxy;
  std::string t = unique("lost-add");
  proxy.store().ensure_table({t, {"id", AttrType::S}});
  proxy.store().put({t, {{"id", AV::S("c")}, {"n", AV::N(1)}}});
  proxy.lose_first("UpdateItem");
  // Applied once (n = 2); whether it was can only be guessed, so the caller hears the failure.
  EXPECT_THROW(proxy.store().update({t, {{"id", AV::S("c")}}, "ADD n :one", "n = :was", {},
                                     {{":one", AV::N(1)}, {":was", AV::N(1)}}}),
               ConditionFailed);
  EXPECT_EQ(proxy.store().get(t, {{"id", AV::S("c")}})->at("n"), AV::N(2)) << "applied exactly once";
}

TEST(LostAnswer, ATransactionRetriedWithItsTokenIsAppliedOnce) {
  LosingProxy proxy;
  std::string t = unique("lost-tx");
  proxy.store().ensure_table({t, {"id", AttrType::S}});
  proxy.lose_first("TransactWriteItems");
  EXPECT_NO_THROW(proxy.store().transact_write({
      PutRequest{t, {{"id", AV::S("product")}}, "attribute_not_exists(id)"},
      PutRequest{t, {{"id", AV::S("report")}, {"reference", AV::S("product")}}, "attribute_not_exists(id)"},
  }));
  auto bodies = proxy.bodies("TransactWriteItems");
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[0], bodies[1]) << "the retry carries the same ClientRequestToken";
  EXPECT_NE(bodies[0].find("\"ClientRequestToken\""), std::string::npos);
  EXPECT_TRUE(proxy.store().get(t, {{"id", AV::S("report")}}));
}

}  // namespace
}  // namespace k9::store::dynamodb
