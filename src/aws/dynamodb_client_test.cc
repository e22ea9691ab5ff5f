// The DynamoDB client's protocol and fault handling, against a loopback server that answers
// like DynamoDB does when it throttles, fails or corrupts. Behaviour against the real
// DynamoDB Local is covered by the store adapter's tests (store/dynamodb).
#include "aws/dynamodb_client.h"

#include <gtest/gtest.h>

#include <mutex>

#include "aws/crc32.h"
#include "aws/loopback_http_server.h"

namespace k9::aws {
namespace {

using testing::LoopbackHttpServer;
using testing::ServedRequest;
using testing::ServedResponse;

ServedResponse ok(const std::string& body) {
  return {200, {{"x-amz-crc32", std::to_string(crc32(body))}, {"Content-Type", "application/x-amz-json-1.0"}}, body};
}
ServedResponse error(int status, const std::string& type, const std::string& message) {
  std::string body = R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + type + R"(","message":")" + message + "\"}";
  return {status, {{"x-amz-crc32", std::to_string(crc32(body))}}, body};
}

DynamoDbOptions fast(const LoopbackHttpServer& s) {
  DynamoDbOptions o;
  o.endpoint = s.url();
  o.region = "eu-central-1";
  o.retry = {5, std::chrono::milliseconds(1), std::chrono::milliseconds(5), std::chrono::milliseconds(5000)};
  return o;
}

std::shared_ptr<CredentialsProvider> creds() {
  return std::make_shared<StaticCredentials>(Credentials{"AKID", "SECRET", "TOKEN", std::nullopt});
}

TEST(DynamoDbClient, SendsASignedJsonProtocolRequest) {
  ServedRequest seen;
  LoopbackHttpServer server([&](const ServedRequest& r) {
    seen = r;
    return ok(R"({"TableNames":["a"]})");
  });
  DynamoDbClient client(fast(server), creds());
  auto out = client.call("ListTables", {{"Limit", 1}});
  EXPECT_EQ(out.at("TableNames").as_array().size(), 1u);
  EXPECT_EQ(seen.headers["x-amz-target"], "DynamoDB_20120810.ListTables");
  EXPECT_EQ(seen.headers["content-type"], "application/x-amz-json-1.0");
  EXPECT_EQ(seen.headers["x-amz-security-token"], "TOKEN");
  EXPECT_NE(seen.headers["authorization"].find("/eu-central-1/dynamodb/aws4_request"), std::string::npos);
  EXPECT_EQ(seen.body, R"({"Limit":1})");
}

TEST(DynamoDbClient, RetriesThrottling5xxCutsAndBadCrcThenSucceeds) {
  std::atomic<int> n{0};
  LoopbackHttpServer server([&](const ServedRequest&) -> ServedResponse {
    switch (n++) {
      case 0: return error(400, "ProvisionedThroughputExceededException", "slow down");
      case 1: return error(500, "InternalServerError", "oops");
      case 2: return {.status = 0, .headers = {}, .body = {}, .cut = true};
      case 3: { auto r = ok("{}"); r.headers[0].second = "12345"; return r; }
      default: return ok(R"({"Item":{}})");
    }
  });
  DynamoDbClient client(fast(server), creds());
  auto out = client.call("GetItem", {});
  EXPECT_TRUE(out.contains("Item"));
  EXPECT_EQ(n.load(), 5);
  // The HTTP client itself resends once when a reused connection dies before any answer, so
  // the cut may cost no retry of ours.
  EXPECT_GE(client.retries(), 3u);
  EXPECT_LE(client.retries(), 4u);
}

TEST(DynamoDbClient, GivesUpAsUnavailableWhenTheBudgetIsSpent) {
  LoopbackHttpServer server([](const ServedRequest&) { return error(400, "ThrottlingException", "rate"); });
  DynamoDbClient client(fast(server), creds());
  try {
    client.call("PutItem", {});
    FAIL();
  } catch (const DynamoDbError& e) {
    EXPECT_EQ(e.kind(), DynamoDbError::Kind::unavailable);
    EXPECT_EQ(e.type(), "ThrottlingException");
  }
  EXPECT_EQ(server.requests(), 5);
}

TEST(DynamoDbClient, ServiceErrorsAreNotRetriedAndCarryWhatWasSent) {
  LoopbackHttpServer server([](const ServedRequest&) {
    return error(400, "ValidationException", "One or more parameter values were invalid");
  });
  DynamoDbClient client(fast(server), creds());
  try {
    client.call("PutItem", {{"TableName", "t"}});
    FAIL();
  } catch (const DynamoDbError& e) {
    EXPECT_EQ(e.kind(), DynamoDbError::Kind::service);
    EXPECT_EQ(e.type(), "ValidationException");
    EXPECT_EQ(e.message(), "One or more parameter values were invalid");
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.request(), R"({"TableName":"t"})");
  }
  EXPECT_EQ(server.requests(), 1);
}

TEST(DynamoDbClient, EndpointAndRegionFromTheEnvironment) {
  std::map<std::string, std::string> vars{{"AWS_REGION", "ap-south-1"}};
  auto getenv = [&](const char* n) -> const char* {
    auto it = vars.find(n);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
  EXPECT_EQ(DynamoDbOptions::from_env(getenv).endpoint_url(), "https://dynamodb.ap-south-1.amazonaws.com/");
  vars["AWS_ENDPOINT_URL_DYNAMODB"] = "http://127.0.0.1:8000";
  EXPECT_EQ(DynamoDbOptions::from_env(getenv).endpoint_url(), "http://127.0.0.1:8000/");
  vars.clear();
  EXPECT_EQ(DynamoDbOptions::from_env(getenv).region, "us-east-1");
}

// What a conditional write's failure says about earlier attempts of the same call.
bool earlier_applied_after(std::vector<ServedResponse> script, std::vector<std::string>* bodies = nullptr) {
  std::atomic<size_t> n{0};
  std::mutex mu;
  LoopbackHttpServer server([&](const ServedRequest& r) {
    if (bodies) {
      std::lock_guard lock(mu);
      bodies->push_back(r.body);
    }
    size_t i = n++;
    return i < script.size() ? script[i] : error(400, "ConditionalCheckFailedException", "The conditional request failed");
  });
  DynamoDbClient client(fast(server), creds());
  try {
    client.call("TransactWriteItems", {{"TransactItems", boost::json::array{}}, {"ClientRequestToken", "tok-1"}});
    ADD_FAILURE() << "no error";
    return false;
  } catch (const DynamoDbError& e) {
    EXPECT_EQ(e.type(), "ConditionalCheckFailedException");
    return e.earlier_attempt_may_have_applied();
  }
}

TEST(DynamoDbClient, AFailedConditionSaysWhetherAnEarlierAttemptMayHaveLanded) {
  EXPECT_FALSE(earlier_applied_after({})) << "first attempt";
  EXPECT_FALSE(earlier_applied_after({error(400, "ThrottlingException", "Rate exceeded")})) << "throttled: not applied";
  EXPECT_TRUE(earlier_applied_after({error(500, "InternalServerError", "oops")}));
  EXPECT_TRUE(earlier_applied_after({{.status = 0, .headers = {}, .body = {}, .cut = true}}));
  auto corrupt = ok("{}");
  corrupt.headers[0].second = "1";
  EXPECT_TRUE(earlier_applied_after({corrupt})) << "answered, so applied, but unreadable";
}

TEST(DynamoDbClient, EveryAttemptSendsTheSameBodySoATransactionKeepsItsToken) {
  std::vector<std::string> bodies;
  earlier_applied_after({{.status = 0, .headers = {}, .body = {}, .cut = true}, error(500, "InternalServerError", "x"),
                         error(400, "ThrottlingException", "Rate exceeded")},
                        &bodies);
  ASSERT_EQ(bodies.size(), 4u);
  for (auto& b : bodies) EXPECT_EQ(b, R"({"TransactItems":[],"ClientRequestToken":"tok-1"})");
}

TEST(DynamoDbClient, TheHttpClientsOwnResendOnADeadKeptAliveConnectionCountsAsAnEarlierAttempt) {
  // A first call leaves a kept-alive connection; the second call's request is cut on it, so
  // the HTTP client resends it on a new connection by itself, and that copy fails its condition.
  std::atomic<int> n{0};
  LoopbackHttpServer server([&](const ServedRequest&) -> ServedResponse {
    switch (n++) {
      case 0: return ok("{}");
      case 1: return {.status = 0, .headers = {}, .body = {}, .cut = true};
      default: return error(400, "ConditionalCheckFailedException", "The conditional request failed");
    }
  });
  DynamoDbOptions o = fast(server);
  o.http.max_idle_connections = 1;
  DynamoDbClient client(o, creds());
  client.call("GetItem", {});
  try {
    client.call("PutItem", {});
    FAIL();
  } catch (const DynamoDbError& e) {
    EXPECT_EQ(e.type(), "ConditionalCheckFailedException");
    EXPECT_TRUE(e.earlier_attempt_may_have_applied());
  }
  EXPECT_EQ(n.load(), 3);
  EXPECT_EQ(client.retries(), 0u) << "the resend was the HTTP client's, not a retry of the DynamoDB client";
}

}  // namespace
}  // namespace k9::aws
