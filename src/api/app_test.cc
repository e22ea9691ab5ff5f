// The API driven through its Handler, on a real SQLite file and real local tokens.
#include "api/app.h"
#include "testing/api_app.h"
#include "testing/embedded_api.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/json.h"
#include "testing/base/fake_clock.h"
#include "core/encoding.h"
#include "core/random.h"
#include "store/dynamodb/dynamodb_local.h"

namespace k9::api {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace identity::local;

testing::Environment* const dynamodb_local_env =
    testing::AddGlobalTestEnvironment(new store::dynamodb::DynamoDbLocalEnvironment);

// Every API test runs on the embedded store (SQLite, with list caching as `k9 serve` runs
// it) and on DynamoDB Local (as `--store dynamodb` runs it), each test on fresh tables.
class AppTest : public testing::TestWithParam<std::string>, protected testkit::EmbeddedApi {
 protected:
  AppTest() : EmbeddedApi("app-test") {}
  bool on_dynamodb() const { return GetParam() == "dynamodb"; }

  void SetUp() override {
    wire(on_dynamodb() ? store::dynamodb::dynamodb_local().store : nullptr,
         {.environment = "t" + hex_encode(random_bytes(6))});
    app_ = testkit::make_app(core_services(/*cache_report_lists=*/!on_dynamodb()));  // as k9 serve runs
    alice_ = issuer_->issue(creds_->add("alice", "correct-horse-1", false, "Alice")).id_token;
    bob_ = issuer_->issue(creds_->add("bob", "correct-horse-2", false, "Bob")).id_token;
  }

  Response call(const std::string& method, const std::string& path, const std::string& body = "",
                const std::string& token = "", std::map<std::string, std::string> query = {}) {
    return testkit::call(*app_, method, path, body, token, std::move(query));
  }
  static json::object body(const Response& r) { return parse_json(r.body).as_object(); }
  static std::string message(const Response& r) { return json::value_to<std::string>(body(r).at("message")); }

  std::string create(const std::string& token, const std::string& title = "Kitchen floor") {
    auto r = call("POST", "/reports",
                  R"({"title":")" + title + R"(","reference":{"model":"Oak","images":[{"url":"a.jpg"}]}})", token);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::value_to<std::string>(body(r).at("id"));
  }
  size_t report_count(const std::string& token) {
    auto r = call("GET", "/reports", "", token);
    return body(r).at("total").to_number<size_t>();
  }
  // Every stored report of a user, as text, to prove that refused requests changed nothing.
  std::string snapshot(const std::string& token) { return call("GET", "/reports", "", token, {{"limit", "100"}}).body; }

  std::unique_ptr<App> app_;
  std::string alice_, bob_;
};

TEST_P(AppTest, ReportLifecycle) {
  std::string id = create(alice_);
  auto got = call("GET", "/reports/" + id, "", alice_);
  ASSERT_EQ(got.status, 200);
  auto report = body(got);
  EXPECT_EQ(report.at("title"), "Kitchen floor");
  EXPECT_EQ(report.at("author"), "Alice");
  EXPECT_EQ(report.at("reference").at("model"), "Oak");
  EXPECT_EQ(report.at("analysis").at("status"), "pending");
  EXPECT_EQ(report.at("analysis").at("modelVersion"), "k9-classic-1");
  EXPECT_TRUE(report.at("createdAt").as_string().ends_with("Z"));

  auto patched = call("PATCH", "/reports/" + id, R"({"title":"Bathroom"})", alice_);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(body(patched).at("title"), "Bathroom");

  auto fav = call("PUT", "/reports/" + id + "/favorites/p-1", R"({"isFavorite":true})", alice_);
  ASSERT_EQ(fav.status, 200) << fav.body;
  call("PUT", "/reports/" + id + "/favorites/p-2", R"({"isFavorite":true})", alice_);
  fav = call("PUT", "/reports/" + id + "/favorites/p-1", R"({"isFavorite":false})", alice_);
  EXPECT_EQ(body(fav).at("favorites"), json::array({"p-2"}));
  fav = call("PUT", "/reports/" + id + "/favorites", R"({"favorites":["a","b","a"]})", alice_);
  EXPECT_EQ(body(fav).at("favorites"), json::array({"a", "b"}));

  EXPECT_EQ(call("DELETE", "/reports/" + id, "", alice_).status, 200);
  EXPECT_EQ(call("GET", "/reports/" + id, "", alice_).status, 404);
  EXPECT_EQ(report_count(alice_), 0u);
}

TEST_P(AppTest, DecimalsAreExactEndToEnd) {
  auto r = call("POST", "/reports",
                R"({"title":"t","reference":{"formats":[{"thickness":{"val":9.5250000000000000000000000000001,"unit":"mm"},)"
                R"("vendors":[{"sku":"s","store":"x","name":"n","price":{"val":1234567.890123456789012345,"unit":"usd"},"url":"u"}]}]}})",
                alice_);
  ASSERT_EQ(r.status, 201) << r.body;
  auto id = json::value_to<std::string>(body(r).at("id"));
  auto got = call("GET", "/reports/" + id, "", alice_).body;
  EXPECT_NE(got.find(R"("val":9.5250000000000000000000000000001)"), std::string::npos) << got;
  EXPECT_NE(got.find(R"("val":1234567.890123456789012345)"), std::string::npos) << got;
}

TEST_P(AppTest, ListIsNewestFirstWithOpaqueCursor) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(create(alice_, "r" + std::to_string(i)));
  create(bob_);
  std::vector<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 5; ++page) {
    std::map<std::string, std::string> q{{"limit", "2"}};
    if (!cursor.empty()) q["cursor"] = cursor;
    auto r = call("GET", "/reports", "", alice_, q);
    ASSERT_EQ(r.status, 200) << r.body;
    auto b = body(r);
    EXPECT_EQ(b.at("total"), 5);
    EXPECT_EQ(b.at("limit"), 2);
    for (auto& item : b.at("reports").as_array()) seen.push_back(json::value_to<std::string>(item.at("id")));
    if (!b.at("has_more").as_bool()) {
      EXPECT_TRUE(b.at("next_cursor").is_null());
      break;
    }
    cursor = json::value_to<std::string>(b.at("next_cursor"));
  }
  // Created within the same millisecond is possible: compare as sets, and the newest first.
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), std::set<std::string>(ids.begin(), ids.end()));
  EXPECT_EQ(seen.size(), 5u);
}

TEST_P(AppTest, CachedListsFollowEveryChange) {
  auto first = [&] { return body(call("GET", "/reports", "", alice_)).at("reports").as_array(); };
  EXPECT_TRUE(first().empty());
  std::string id = create(alice_, "one");
  EXPECT_EQ(first().size(), 1u);  // create invalidates
  EXPECT_EQ(first().at(0).at("title"), "one");
  call("PATCH", "/reports/" + id, R"({"title":"renamed"})", alice_);
  EXPECT_EQ(first().at(0).at("title"), "renamed");
  call("PUT", "/reports/" + id + "/favorites/p1", R"({"isFavorite":true})", alice_);
  EXPECT_EQ(first().at(0).at("favoritesCount"), 1);
  call("PUT", "/reports/" + id + "/favorites", R"({"favorites":[]})", alice_);
  EXPECT_EQ(first().at(0).at("favoritesCount"), 0);
  // A refused change (another user) leaves the page as it was.
  EXPECT_EQ(call("DELETE", "/reports/" + id, "", bob_).status, 404);
  EXPECT_EQ(first().size(), 1u);
  call("DELETE", "/reports/" + id, "", alice_);
  EXPECT_TRUE(first().empty());
}

TEST_P(AppTest, ProfileIsCreatedFromClaimsAndPatchedWithMerge) {
  auto r = call("GET", "/user/profile", "", alice_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(body(r).at("name"), "Alice");
  r = call("PATCH", "/user/profile", R"({"preferences":{"exportFormat":"zip"}})", alice_);
  ASSERT_EQ(r.status, 200) << r.body;
  r = call("PATCH", "/user/profile", R"({"name":"Alice B","preferences":{"autoSaveFavorites":true}})", alice_);
  auto b = body(r);
  EXPECT_EQ(b.at("name"), "Alice B");
  EXPECT_EQ(b.at("preferences").at("exportFormat"), "zip");
  EXPECT_EQ(b.at("preferences").at("autoSaveFavorites"), true);

  std::string before = call("GET", "/user/profile", "", alice_).body;
  auto bad = call("PATCH", "/user/profile", R"({"nickname":"x"})", alice_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(message(bad), "Unknown field(s): nickname");
  bad = call("PATCH", "/user/profile", R"({"preferences":{"theme":"dark"}})", alice_);
  EXPECT_EQ(message(bad), "Unknown field(s): preferences.theme");
  bad = call("PATCH", "/user/profile", R"({"email":"not-an-email"})", alice_);
  EXPECT_EQ(message(bad), "email must be an email address");
  EXPECT_EQ(call("GET", "/user/profile", "", alice_).body, before);
}

TEST_P(AppTest, BadReportBodiesAre400AndStoreNothing) {
  create(alice_);
  std::string before = snapshot(alice_);
  struct Case {
    std::string body, message;
  };
  std::vector<Case> cases{
      {"{", "Malformed JSON"},
      {"[1,2]", "Request body must be a JSON object"},
      {"", "Request body is required"},
      {R"({"title":5,"reference":{}})", "title must be a string"},
      {R"({"title":"x","reference":{"model":"m"},"colour":"red"})", "Unknown field(s): colour"},
      {R"({"title":"x","reference":{"model":"m","extra":1}})", "Unknown field(s): reference.extra"},
      {R"({"title":"x","reference":{"formats":[{"length":{"val":"ten"}}]}})",
       "reference.formats[0].length.val must be a number"},
      {R"({"title":"","reference":{}})", "title must not be empty"},
      {R"({"title":"   ","reference":{}})", "title must not be empty"},
      {R"({"title":")" + std::string(201, 'a') + R"(","reference":{}})", "title must be at most 200 characters"},
      {R"({"title":"x","reference":{"model":")" + std::string(3000, 'm') + R"("}})",
       "reference.model must be at most 2048 bytes"},
      {"{\"title\":\"\xff\xfe\",\"reference\":{}}", "Request body is not valid UTF-8"},
      {R"({"reference":{}})", "title is required"},
      {R"({"title":"x"})", "reference is required"},
      {R"({"title":"x","reference":{"images":[{"url":""}]}})", "reference.images[0].url must not be empty"},
  };
  for (auto& c : cases) {
    auto r = call("POST", "/reports", c.body, alice_);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(body(r).at("code"), "BadRequest");
    EXPECT_TRUE(message(r).starts_with(c.message)) << message(r) << " vs " << c.message;
  }
  // 200 multi-byte characters is within the limit.
  std::string title;
  for (int i = 0; i < 200; ++i) title += "\xc3\xa9";
  EXPECT_EQ(call("POST", "/reports", R"({"title":")" + title + R"(","reference":{}})", alice_).status, 201);
  EXPECT_EQ(report_count(alice_), 2u);
  EXPECT_NE(before, snapshot(alice_));
}

TEST_P(AppTest, LimitAndCursorValidation) {
  create(alice_);
  for (std::string bad : {"0", "101", "abc", "", "5x", "-1", "99999999999"}) {
    auto r = call("GET", "/reports", "", alice_, {{"limit", bad}});
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(message(r), "limit must be an integer between 1 and 100");
  }
  for (std::string bad : std::vector<std::string>{"garbage", "eyJmb28iOiJiYXIifQ", std::string(5000, 'A'), "%%%"}) {
    auto r = call("GET", "/reports", "", alice_, {{"cursor", bad}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(message(r), "Invalid cursor");
  }
  // A genuine cursor of Bob's cannot page Alice's reports.
  create(bob_);
  create(bob_);
  auto page = body(call("GET", "/reports", "", bob_, {{"limit", "1"}}));
  auto cursor = json::value_to<std::string>(page.at("next_cursor"));
  EXPECT_EQ(call("GET", "/reports", "", alice_, {{"cursor", cursor}}).status, 400);
  // An edited cursor is refused.
  cursor[cursor.size() / 2] = cursor[cursor.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(call("GET", "/reports", "", bob_, {{"cursor", cursor}}).status, 400);
}

TEST_P(AppTest, AnotherUsersReportIs404AndUnchanged) {
  std::string id = create(alice_);
  call("PUT", "/reports/" + id + "/favorites/p1", R"({"isFavorite":true})", alice_);
  std::string before = call("GET", "/reports/" + id, "", alice_).body;
  struct Case {
    std::string method, path, body;
  };
  std::vector<Case> cases{{"GET", "/reports/" + id, ""},
                          {"PATCH", "/reports/" + id, R"({"title":"mine now"})"},
                          {"DELETE", "/reports/" + id, ""},
                          {"PUT", "/reports/" + id + "/favorites/p2", R"({"isFavorite":true})"},
                          {"PUT", "/reports/" + id + "/favorites", R"({"favorites":[]})"}};
  for (auto& c : cases) {
    auto r = call(c.method, c.path, c.body, bob_);
    EXPECT_EQ(r.status, 404) << c.method << " " << c.path;
    EXPECT_EQ(message(r), "Report not found");
  }
  EXPECT_EQ(call("GET", "/reports/" + id, "", alice_).body, before);
  EXPECT_EQ(call("GET", "/reports/../etc", "", alice_).status, 404);
}

TEST_P(AppTest, TokensAreRequiredAndChecked) {
  std::string id = create(alice_);
  std::string before = snapshot(alice_);
  auto expect_401 = [&](Request r, const std::string& why) {
    auto resp = app_->handle(r);
    EXPECT_EQ(resp.status, 401) << why;
    EXPECT_EQ(body(resp).at("code"), "Unauthorized") << why;
    EXPECT_FALSE(message(resp).empty());
  };
  Request r;
  r.method = "POST";
  r.path = "/reports";
  r.body = R"({"title":"x","reference":{}})";
  expect_401(r, "missing");
  r.headers["authorization"] = "Basic abc";
  expect_401(r, "not bearer");
  r.headers["authorization"] = "Bearer not.a.token";
  expect_401(r, "malformed");
  // Signed by another key.
  auto other_dir = dir_ / "other";
  KeyStore other_keys(other_dir);
  LocalIssuer other(other_keys);
  r.headers["authorization"] = "Bearer " + other.issue(*creds_->find("alice")).id_token;
  expect_401(r, "wrong key");
  // Expired: issued by the same keys two hours ago.
  testkit::FakeClock past(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count() -
                                    7200);
  LocalIssuer old(*keys_, {}, past);
  r.headers["authorization"] = "Bearer " + old.issue(*creds_->find("alice")).id_token;
  expect_401(r, "expired");
  r.method = "DELETE";
  r.path = "/reports/" + id;
  expect_401(r, "expired delete");
  EXPECT_EQ(snapshot(alice_), before);
}

TEST_P(AppTest, RoutingErrors) {
  auto r = call("GET", "/nope", "", alice_);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(body(r).at("code"), "NotFound");
  r = call("POST", "/healthz");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.at(0).first, "Allow");
  EXPECT_EQ(r.headers.at(0).second, "GET");
  EXPECT_EQ(call("GET", "/healthz").status, 200);
  EXPECT_EQ(call("GET", "/reports/").status, 404);
}

// SPEC section 3: a JSON route refuses a body of another media type with 415 and the error
// body, after authentication, and stores nothing; JSON with parameters or a +json type is fine.
TEST_P(AppTest, JsonRoutesRefuseOtherMediaTypes) {
  std::string id = create(alice_);
  std::string before = snapshot(alice_);
  auto with_type = [&](const std::string& method, const std::string& path, const std::string& body,
                       const std::string& type, const std::string& token) {
    return testkit::call(*app_, method, path, body, token, {}, type);
  };
  const std::string report = R"({"title":"Form","reference":{"model":"Oak","images":[{"url":"a.jpg"}]}})";
  for (std::string type : {"application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x",
                           "application/jsonx", "image/png"}) {
    auto r = with_type("POST", "/reports", report, type, alice_);
    EXPECT_EQ(r.status, 415) << type;
    EXPECT_EQ(body(r).at("code"), "UnsupportedMediaType") << type;
    EXPECT_NE(message(r).find("application/json"), std::string::npos) << message(r);
    r = with_type("PATCH", "/reports/" + id, R"({"title":"Changed"})", type, alice_);
    EXPECT_EQ(r.status, 415) << type;
  }
  EXPECT_EQ(snapshot(alice_), before);
  // No token: 401 comes first, whatever the body is.
  EXPECT_EQ(with_type("POST", "/reports", report, "text/plain", "").status, 401);
  // A sign-in form is refused the same way, and no token is issued.
  auto login = with_type("POST", "/auth/login", "username=alice&password=correct-horse-1",
                         "application/x-www-form-urlencoded", "");
  EXPECT_EQ(login.status, 415);
  EXPECT_EQ(with_type("POST", "/reports", report, "application/json; charset=utf-8", alice_).status, 201);
  EXPECT_EQ(with_type("PATCH", "/reports/" + id, R"({"title":"Changed"})", "Application/JSON", alice_).status, 200);
  EXPECT_EQ(with_type("PATCH", "/reports/" + id, R"({"title":"Again"})", "application/merge-patch+json", alice_).status,
            200);
}

TEST_P(AppTest, LoginAnswersTokensOrTheSameRefusal) {
  auto r = call("POST", "/auth/login", R"({"username":"alice","password":"correct-horse-1"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto b = body(r);
  EXPECT_EQ(b.at("tokenType"), "Bearer");
  auto token = json::value_to<std::string>(b.at("idToken"));
  EXPECT_EQ(call("GET", "/user/profile", "", token).status, 200);
  auto wrong = call("POST", "/auth/login", R"({"username":"alice","password":"nope-nope-nope"})");
  auto nobody = call("POST", "/auth/login", R"({"username":"nobody","password":"nope-nope-nope"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(nobody.status, 401);
  EXPECT_EQ(message(wrong), message(nobody));
  EXPECT_EQ(call("POST", "/auth/login", R"({"username":"alice"})").status, 400);
  auto jwks = call("GET", "/.well-known/jwks.json");
  EXPECT_EQ(jwks.status, 200);
  EXPECT_EQ(parse_json(jwks.body).at("keys").as_array().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Stores, AppTest, testing::Values("sqlite", "dynamodb"),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace k9::api
