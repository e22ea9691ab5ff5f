#include "lambda/lambda_function.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <thread>

#include "api/responses.h"
#include "core/json.h"

namespace k9::lambda {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// A handler with four routes: quick, slow (sleeps), big (a large binary answer), inline (never
// blocks); 1 KiB bodies.
class TestHandler final : public api::Handler {
 public:
  std::atomic<int> calls{0};
  std::thread::id handled_on;
  // /inline never blocks (the others may): it is the only one the function may run on its own thread.
  api::Admission admit(std::string_view, std::string_view path) const noexcept override {
    return {1024, path != "/inline", path == "/slow" ? "slow" : "other"};
  }
  api::Response handle(const api::Request& r) noexcept override {
    ++calls;
    handled_on = std::this_thread::get_id();
    if (r.path == "/slow") std::this_thread::sleep_for(800ms);
    api::Response res;
    if (r.path == "/big") {
      res.content_type = "image/png";
      res.body.assign(5'000'000, '\x89');
      return res;
    }
    res.body = json::serialize(json::object{{"path", r.path}, {"method", r.method}, {"body", r.body}});
    return res;
  }
  api::Response refuse(const Error& e) const noexcept override { return api::error_response(e); }
};

std::string event(const std::string& method, const std::string& path, const std::string& body = "") {
  return json::serialize(json::object{{"httpMethod", method}, {"path", path}, {"body", body},
                                      {"requestContext", json::object{{"stage", "prod"}}}});
}

int64_t in_ms(int64_t ms) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
             .count() + ms;
}

json::object payload(const Outcome& o) {
  EXPECT_TRUE(o.ok) << o.error_type << ": " << o.error_message;
  return parse_json(o.payload).as_object();
}

TEST(LambdaFunction, HandlesProxyEventsThroughTheHandler) {
  TestHandler h;
  std::vector<std::string> observed;
  LambdaOptions o;
  o.observe = [&](std::string_view route, int status, std::chrono::microseconds) {
    observed.push_back(std::string(route) + ":" + std::to_string(status));
  };
  LambdaFunction f(h, o);
  auto out = payload(f.invoke({"id-1", in_ms(5000), "", "", event("GET", "/quick")}));
  EXPECT_EQ(out.at("statusCode"), 200);
  EXPECT_EQ(parse_json(out.at("body").as_string()).at("path"), "/quick");
  EXPECT_EQ(out.at("headers").at("X-Request-Id"), "id-1");  // the invocation's id when the event has none
  EXPECT_EQ(observed, std::vector<std::string>{"other:200"});
}

TEST(LambdaFunction, BodiesOverTheRouteLimitAre413WithoutTheHandler) {
  TestHandler h;
  LambdaFunction f(h, {});
  auto out = payload(f.invoke({"id", in_ms(5000), "", "", event("POST", "/quick", std::string(1025, 'x'))}));
  EXPECT_EQ(out.at("statusCode"), 413);
  EXPECT_EQ(h.calls, 0);
}

TEST(LambdaFunction, AnswersBeforeTheDeadline) {
  TestHandler h;
  LambdaOptions o;
  o.margin = 200ms;
  LambdaFunction f(h, o);
  auto t0 = std::chrono::steady_clock::now();
  auto out = payload(f.invoke({"id", in_ms(500), "", "", event("GET", "/slow")}));
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(out.at("statusCode"), 503);
  EXPECT_TRUE(out.at("headers").as_object().contains("Retry-After"));
  EXPECT_LT(took, 700ms);  // answered near the deadline (300 ms), not when the handler finished (800 ms)
  // Less than the margin left at the start: 503 at once, no handler.
  int before = h.calls;
  out = payload(f.invoke({"id", in_ms(100), "", "", event("GET", "/quick")}));
  EXPECT_EQ(out.at("statusCode"), 503);
  EXPECT_EQ(h.calls, before);
  std::this_thread::sleep_for(900ms);  // let the slow handler finish before `h` goes
}

TEST(LambdaFunction, LargeAnswersSpill) {
  TestHandler h;
  LambdaOptions o;
  std::string spilled;
  o.spill = [&](const api::Response& r, const std::string& id) {
    spilled = r.body;
    return "https://example/" + id;
  };
  LambdaFunction f(h, o);
  auto out = payload(f.invoke({"id-9", in_ms(5000), "", "", event("GET", "/big")}));
  EXPECT_EQ(out.at("statusCode"), 303);
  EXPECT_EQ(out.at("headers").at("Location"), "https://example/id-9");
  EXPECT_EQ(spilled.size(), 5'000'000u);
  LambdaFunction no_spill(h, {});
  EXPECT_EQ(payload(no_spill.invoke({"id", in_ms(5000), "", "", event("GET", "/big")})).at("statusCode"), 413);
}

TEST(LambdaFunction, OwnTasksAndBadEvents) {
  TestHandler h;
  LambdaOptions o;
  std::string ran;
  o.task = [&](const std::string& task, std::chrono::system_clock::time_point) -> json::value {
    ran = task;
    return json::object{{"ran", 1}};
  };
  LambdaFunction f(h, o);
  auto out = f.invoke({"id", in_ms(5000), "", "", R"({"k9":{"task":"analysis"}})"});
  ASSERT_TRUE(out.ok);
  EXPECT_EQ(ran, "analysis");
  EXPECT_EQ(parse_json(out.payload).at("ran"), 1);
  for (std::string bad : {"not json", "[]", R"({"hello":1})", R"({"k9":{"task":7}})",
                          R"({"httpMethod":"GET","path":"/x","body":"%%","isBase64Encoded":true})"}) {
    auto o2 = f.invoke({"id", in_ms(5000), "", "", bad});
    EXPECT_FALSE(o2.ok) << bad;
    EXPECT_EQ(o2.error_type, "K9.BadEvent") << bad;
  }
  EXPECT_EQ(h.calls, 0);
}

TEST(LambdaFunction, RoutesThatMayBlockRunOnAThreadOfTheirOwnAndTheOthersInline) {
  TestHandler h;
  LambdaFunction f(h, {});
  for (const char* path : {"/inline", "/quick"}) {
    h.handled_on = {};
    Outcome o = f.invoke({"req", in_ms(30000), "", "", event("GET", path)});
    EXPECT_EQ(payload(o).at("statusCode").as_int64(), 200) << path;
    if (std::string(path) == "/inline") EXPECT_EQ(h.handled_on, std::this_thread::get_id());
    else EXPECT_NE(h.handled_on, std::this_thread::get_id()) << "a route that may block ran where the deadline is kept";
  }
}

}  // namespace
}  // namespace k9::lambda
