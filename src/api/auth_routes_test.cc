// The /auth/* routes in local mode, driven through the Handler on a real SQLite store with a
// settable clock: login, refresh (reusable by default, rotating as an option), the
// NEW_PASSWORD_REQUIRED flow, throttling. Every
// refused request is checked for status, message, and an unchanged identity store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/app.h"
#include "testing/api_app.h"
#include "core/json.h"
#include "testing/base/fake_clock.h"
#include "identity/local/credential_repository.h"
#include "identity/local/key_store.h"
#include "identity/local/local_authenticator.h"
#include "identity/local/local_issuer.h"
#include "identity/local/login_throttle.h"
#include "identity/local/refresh_token_repository.h"
#include "testing/base/temp_dir.h"
#include "store/sqlite/sqlite_store.h"

namespace k9::api {
namespace {

namespace json = boost::json;
using namespace identity::local;
using testkit::FakeClock;
using store::AttributeValue;

class AuthRoutesTest : public ::testing::Test {
 protected:
  AuthRoutesTest() {
    for (auto& s : tables_.schemas()) store_.ensure_table(s);
    store_.ensure_table(CredentialRepository::schema(tables_.identities));
    store_.ensure_table(RefreshTokenRepository::schema(tables_.refresh_tokens));
    creds_.add("alice", "Correct-horse-1", false, "Alice", "alice@example.com");
    creds_.add("tom", "Temporary-1", true, "Tom");
  }

  Response post(const std::string& path, const std::string& body, const std::string& from = "192.0.2.7") {
    Request r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    r.remote_address = from;
    return app_->handle(r);
  }
  static json::object body(const Response& r) { return parse_json(r.body).as_object(); }
  static std::string message(const Response& r) { return std::string(body(r).at("message").as_string()); }
  static std::string field(const Response& r, const char* name) { return std::string(body(r).at(name).as_string()); }

  // Everything stored about alice's and tom's identities and refresh tokens.
  struct Snapshot {
    std::optional<store::Item> alice, tom;
    std::vector<store::Item> tokens;
    bool operator==(const Snapshot&) const = default;
  };
  Snapshot snapshot() {
    Snapshot s;
    s.alice = store_.get(tables_.identities, {{"username", AttributeValue::S("alice")}});
    s.tom = store_.get(tables_.identities, {{"username", AttributeValue::S("tom")}});
    for (const char* user : {"alice", "tom"}) {
      store::QueryRequest q;
      q.table = tables_.refresh_tokens;
      q.index = kRefreshTokensByUser;
      q.partition = AttributeValue::S(user);
      for (auto& item : store_.query(q).items) s.tokens.push_back(item);
    }
    return s;
  }
  void expect_refused(const std::string& path, const std::string& request, int status, const std::string& expected) {
    Snapshot before = snapshot();
    Response r = post(path, request);
    EXPECT_EQ(r.status, status) << request << " -> " << r.body;
    EXPECT_EQ(message(r), expected) << request;
    EXPECT_TRUE(snapshot() == before) << request << " changed the store";
  }

  testkit::TempDir dir_;
  FakeClock clock_;
  store::sqlite::SqliteStore store_{(dir_.path() / "k9.db").string()};
  repo::Tables tables_ = repo::Tables::from_env([](const char*) -> const char* { return nullptr; });
  KeyStore keys_{dir_.path()};
  LocalIssuer issuer_{keys_, IssuerOptions{}, clock_};
  CredentialRepository creds_{store_, tables_.identities, PasswordHashing::minimum(), clock_};
  RefreshTokenRepository refresh_{store_, tables_.refresh_tokens, RefreshTokenRepository::kDefaultLifetime, clock_};
  LoginThrottle throttle_{ThrottleLimits{}, clock_};
  LocalAuthenticator auth_{creds_, issuer_, refresh_, throttle_, LocalAuthOptions{}, clock_};
  repo::UserRepository users_{store_, tables_.users};
  repo::ReportRepository reports_{store_, tables_, repo::CursorCodec("test-secret-0123456789")};
  std::unique_ptr<App> app_ = testkit::make_app({store_, users_, reports_, issuer_, &auth_, [this] { return keys_.jwks(); }});
};

// The default, as Cognito does it: the published web app keeps its first refresh token for
// the whole session and ignores any new one, so the same token must keep working.
TEST_F(AuthRoutesTest, ARefreshTokenServesTheWholeSessionByDefault) {
  Response login = post("/auth/login", R"({"username":"alice","password":"Correct-horse-1"})");
  ASSERT_EQ(login.status, 200) << login.body;
  std::string first = field(login, "refreshToken");
  EXPECT_EQ(first.size(), 43u);
  for (int i = 0; i < 3; ++i) {  // the app's refreshes, an hour apart, all with its first token
    clock_.advance(3600);
    Response r = post("/auth/refresh", R"({"username":"alice","refreshToken":")" + first + R"("})");
    ASSERT_EQ(r.status, 200) << "refresh " << i << ": " << r.body;
    EXPECT_EQ(body(r).at("tokenType"), "Bearer");
    EXPECT_EQ(body(r).at("expiresIn"), 3600);
    EXPECT_EQ(issuer_.verify(field(r, "idToken")).username, "alice");
    EXPECT_EQ(issuer_.verify(field(r, "accessToken")).token_use, "access");
    EXPECT_FALSE(body(r).contains("refreshToken")) << "SPEC's four fields, no new refresh token: " << r.body;
  }
  // One token stored, as a hash, never the token.
  Snapshot s = snapshot();
  ASSERT_EQ(s.tokens.size(), 1u);
  for (auto& [name, value] : s.tokens[0]) {
    if (value.is(store::AttrType::S)) {
      EXPECT_THAT(value.s(), ::testing::Not(::testing::HasSubstr(first.substr(0, 20))));
    }
  }
}

// K9_REFRESH_ROTATION=on: every refresh consumes the token and answers the next; the used one
// coming back revokes every token of the user.
TEST_F(AuthRoutesTest, WithRotationRefreshAnswersANewTokenAndReuseRevokes) {
  LocalAuthenticator rotating{creds_, issuer_, refresh_, throttle_, LocalAuthOptions{.rotate_refresh_tokens = true},
                              clock_};
  app_ = testkit::make_app({store_, users_, reports_, issuer_, &rotating, [this] { return keys_.jwks(); }});
  Response login = post("/auth/login", R"({"username":"alice","password":"Correct-horse-1"})");
  ASSERT_EQ(login.status, 200) << login.body;
  std::string first = field(login, "refreshToken");
  clock_.advance(60);
  Response r = post("/auth/refresh", R"({"username":"alice","refreshToken":")" + first + R"("})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(issuer_.verify(field(r, "idToken")).username, "alice");
  std::string second = field(r, "refreshToken");
  EXPECT_EQ(second.size(), 43u);
  EXPECT_NE(second, first);
  EXPECT_EQ(snapshot().tokens.size(), 2u);
  // Presenting the used token again: refused, and every token of alice is revoked.
  Response reuse = post("/auth/refresh", R"({"username":"alice","refreshToken":")" + first + R"("})");
  EXPECT_EQ(reuse.status, 401);
  EXPECT_EQ(message(reuse), "Refresh token has already been used");
  expect_refused("/auth/refresh", R"({"username":"alice","refreshToken":")" + second + R"("})", 401,
                 "Refresh token has been revoked");
  app_.reset();  // before `rotating` ends
}

TEST_F(AuthRoutesTest, RefreshRefusesUnknownForeignAndMalformedTokens) {
  std::string token = field(post("/auth/login", R"({"username":"alice","password":"Correct-horse-1"})"), "refreshToken");
  expect_refused("/auth/refresh", R"({"username":"tom","refreshToken":")" + token + R"("})", 401, kInvalidRefreshToken);
  expect_refused("/auth/refresh", R"({"username":"alice","refreshToken":")" + std::string(43, 'A') + R"("})", 401,
                 kInvalidRefreshToken);
  expect_refused("/auth/refresh", R"({"username":"alice","refreshToken":"short"})", 401, kInvalidRefreshToken);
  expect_refused("/auth/refresh", R"({"username":"alice"})", 400, "refreshToken is required");
  expect_refused("/auth/refresh", R"({"refreshToken":"x"})", 400, "username is required");
  expect_refused("/auth/refresh", R"({"username":"alice","refreshToken":7})", 400, "refreshToken must be a string");
  expect_refused("/auth/refresh", R"({"username":"alice","refreshToken":"x","extra":1})", 400, "Unknown field(s): extra");
  clock_.advance(RefreshTokenRepository::kDefaultLifetime.count());
  expect_refused("/auth/refresh", R"({"username":"alice","refreshToken":")" + token + R"("})", 401,
                 "Refresh token has expired");
}

TEST_F(AuthRoutesTest, TemporaryPasswordFlow) {
  Response challenge = post("/auth/login", R"({"username":"tom","password":"Temporary-1"})");
  ASSERT_EQ(challenge.status, 202) << challenge.body;
  EXPECT_EQ(body(challenge).at("challenge"), "NEW_PASSWORD_REQUIRED");
  EXPECT_EQ(body(challenge).at("username"), "tom");
  std::string session = field(challenge, "session");
  auto reset = [&](const std::string& user, const std::string& password, const std::string& s) {
    return R"({"username":")" + user + R"(","newPassword":")" + password + R"(","session":")" + s + R"("})";
  };
  expect_refused("/auth/reset", reset("tom", "Brand-new-1", "not-the-session"), 401, kInvalidSession);
  expect_refused("/auth/reset", reset("alice", "Brand-new-1", session), 401, kInvalidSession);
  expect_refused("/auth/reset", reset("nobody", "Brand-new-1", session), 401, kInvalidSession);
  expect_refused("/auth/reset", reset("tom", "weakpassword", session), 400,
                 "newPassword must be 8 to 256 bytes long and contain at least 3 of: lower-case letters, "
                 "upper-case letters, digits, symbols");
  expect_refused("/auth/reset", R"({"username":"tom","session":"s"})", 400, "newPassword is required");
  expect_refused("/auth/reset", R"({"username":"tom","newPassword":"Brand-new-1"})", 400, "session is required");

  Response ok = post("/auth/reset", reset("tom", "Brand-new-1", session));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(body(ok), (json::object{{"success", true}}));
  expect_refused("/auth/reset", reset("tom", "Other-new-2", session), 401, kInvalidSession);  // once only
  EXPECT_EQ(post("/auth/login", R"({"username":"tom","password":"Temporary-1"})").status, 401);
  EXPECT_EQ(post("/auth/login", R"({"username":"tom","password":"Brand-new-1"})").status, 200);
}

TEST_F(AuthRoutesTest, ChallengeSessionExpiresAfterFiveMinutesWith410) {
  std::string session = field(post("/auth/login", R"({"username":"tom","password":"Temporary-1"})"), "session");
  clock_.advance(300);
  expect_refused("/auth/reset", R"({"username":"tom","newPassword":"Brand-new-1","session":")" + session + R"("})", 410,
                 kExpiredSession);
  EXPECT_EQ(body(post("/auth/reset", R"({"username":"tom","newPassword":"Brand-new-1","session":")" + session + R"("})"))
                .at("code"),
            "Gone");
}

TEST_F(AuthRoutesTest, FailedLoginsAreThrottledAlikeForKnownAndUnknownUsers) {
  for (const std::string user : {"alice", "nobody"}) {
    const std::string bad = R"({"username":")" + user + R"(","password":"Wrong-pass-1"})";
    for (int i = 0; i < 5; ++i) expect_refused("/auth/login", bad, 401, kIncorrectCredentials);
    Snapshot before = snapshot();
    Response r = post("/auth/login", bad);
    EXPECT_EQ(r.status, 429) << user;
    EXPECT_EQ(message(r), kTooManyAttempts);
    EXPECT_EQ(body(r).at("code"), "TooManyRequests");
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Retry-After", "900"}));
    EXPECT_TRUE(snapshot() == before);
  }
  // Per address: 20 failures from one address stop it for every name.
  for (int i = 0; i < 10; ++i) post("/auth/login", R"({"username":"u)" + std::to_string(i) + R"(","password":"Wrong-pass-1"})");
  EXPECT_EQ(post("/auth/login", R"({"username":"tom","password":"Temporary-1"})").status, 429);
  EXPECT_EQ(post("/auth/login", R"({"username":"tom","password":"Temporary-1"})", "198.51.100.9").status, 202);
}

}  // namespace
}  // namespace k9::api
