#include "lambda/proxy_event.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/encoding.h"
#include "core/error.h"
#include "core/json.h"

namespace k9::lambda {
namespace {

namespace json = boost::json;

json::object v1() {
  return parse_json(R"({"resource":"/{proxy+}","path":"/reports/r%201","httpMethod":"post",
    "headers":{"Content-Type":"application/json","X-Multi":"b"},
    "multiValueHeaders":{"Content-Type":["application/json"],"X-Multi":["a","b"]},
    "queryStringParameters":{"limit":"5"},"multiValueQueryStringParameters":{"limit":["1","5"]},
    "requestContext":{"stage":"prod","requestId":"req-1","identity":{"sourceIp":"198.51.100.7"},
                      "authorizer":{"claims":{"sub":"someone"}}},
    "body":"eyJhIjoxfQ==","isBase64Encoded":true})").as_object();
}

json::object v2() {
  return parse_json(R"({"version":"2.0","routeKey":"$default","rawPath":"/prod/reports/a%2Fb%20c",
    "rawQueryString":"limit=1&q=two+words&limit=7&flag","cookies":["a=1","b=2"],
    "headers":{"content-type":"text/plain","authorization":"Bearer t"},
    "requestContext":{"http":{"method":"GET","sourceIp":"198.51.100.8"},"requestId":"req-2","stage":"prod"},
    "body":"hello","isBase64Encoded":false})").as_object();
}

TEST(ProxyEvent, RestApiPayload) {
  auto e = v1();
  ASSERT_TRUE(is_proxy_event(e));
  auto p = decode_proxy_event(e, "");
  EXPECT_EQ(p.version, PayloadVersion::rest_v1);
  EXPECT_EQ(p.request.method, "POST");
  EXPECT_EQ(p.request.path, "/reports/r%201");  // REST API hands the path decoded already
  EXPECT_EQ(p.request.headers.at("x-multi"), "a, b");
  EXPECT_EQ(p.request.query.at("limit"), "5");
  EXPECT_EQ(p.request.body, R"({"a":1})");
  EXPECT_EQ(p.request.remote_address, "198.51.100.7");
  EXPECT_EQ(p.request.request_id, "req-1");
  EXPECT_FALSE(p.request.headers.contains("authorization"));  // the authorizer's claims give no token
}

TEST(ProxyEvent, HttpApiPayloadStripsTheStageAndDecodes) {
  auto p = decode_proxy_event(v2(), "");
  EXPECT_EQ(p.version, PayloadVersion::http_v2);
  EXPECT_EQ(p.request.path, "/reports/a/b c");
  EXPECT_EQ(p.request.query.at("limit"), "7");  // last wins, as in the HTTP server
  EXPECT_EQ(p.request.query.at("q"), "two words");
  EXPECT_EQ(p.request.query.at("flag"), "");
  EXPECT_EQ(p.request.headers.at("cookie"), "a=1; b=2");
  EXPECT_EQ(p.request.body, "hello");
  auto e = v2();
  e["requestContext"].as_object()["stage"] = "$default";
  e["rawPath"] = "/prod/reports";
  EXPECT_EQ(decode_proxy_event(e, "/prod").request.path, "/reports");  // the base path, when configured
  EXPECT_EQ(decode_proxy_event(e, "").request.path, "/prod/reports");
}

TEST(ProxyEvent, MalformedEventsAreBadRequests) {
  auto expect_bad = [](json::object e) {
    try {
      decode_proxy_event(e, "");
      ADD_FAILURE() << json::serialize(e);
    } catch (const Error& err) {
      EXPECT_EQ(err.code(), ErrorCode::bad_request);
    }
  };
  auto with = [](json::object e, const char* key, json::value v) {
    e[key] = std::move(v);
    return e;
  };
  expect_bad(with(v1(), "body", "%%%"));  // not base64
  expect_bad(with(v1(), "path", "no-slash"));
  expect_bad(with(v2(), "rawPath", "/a%00b"));
  expect_bad(with(v2(), "rawPath", "/a%zz"));
  expect_bad(with(v2(), "body", 42));
  auto e = v2();
  e.erase("requestContext");
  expect_bad(e);
  EXPECT_FALSE(is_proxy_event(parse_json(R"({"k9":{"task":"analysis"}})").as_object()));
}

TEST(ProxyEvent, AnswersTextAsTextAndBytesAsBase64) {
  api::Response json_answer;
  json_answer.body = R"({"ok":true})";
  json_answer.headers = {{"Retry-After", "2"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}, {"Content-Length", "9"}};
  auto out = parse_json(encode_proxy_response(json_answer, PayloadVersion::rest_v1, "req-1", "*")).as_object();
  EXPECT_EQ(out.at("statusCode"), 200);
  EXPECT_EQ(out.at("body"), R"({"ok":true})");
  EXPECT_EQ(out.at("isBase64Encoded"), false);
  auto& h = out.at("headers").as_object();
  EXPECT_EQ(h.at("Content-Type"), "application/json");
  EXPECT_EQ(h.at("X-Request-Id"), "req-1");
  EXPECT_EQ(h.at("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(h.at("Retry-After"), "2");
  EXPECT_FALSE(h.contains("Content-Length"));
  EXPECT_EQ(out.at("multiValueHeaders").at("Set-Cookie").as_array().size(), 2u);

  api::Response zip;
  zip.content_type = "application/zip";
  zip.body = std::string("PK\x03\x04\xff\x00", 6);
  out = parse_json(encode_proxy_response(zip, PayloadVersion::http_v2, "", "")).as_object();
  EXPECT_EQ(out.at("isBase64Encoded"), true);
  EXPECT_EQ(base64_decode(out.at("body").as_string()).value(), zip.body);
  EXPECT_FALSE(out.at("headers").as_object().contains("Access-Control-Allow-Origin"));

  api::Response bad_utf8 = json_answer;
  bad_utf8.headers.clear();
  bad_utf8.body = "\xff\xfe";
  out = parse_json(encode_proxy_response(bad_utf8, PayloadVersion::http_v2, "", "*")).as_object();
  EXPECT_EQ(out.at("isBase64Encoded"), true);  // never invalid text in a JSON string
}

}  // namespace
}  // namespace k9::lambda
