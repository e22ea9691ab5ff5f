// CognitoVerifier through the API Handler on a real SQLite store, with the pool's keys served
// over real HTTP: the tokens it must accept, and the hostile ones it must refuse with 401
// while nothing stored changes.
#include "identity/cognito/cognito_verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include "api/app.h"
#include "core/json.h"
#include "identity/cognito/test_pool.h"
#include "identity/local/test_support.h"
#include "repo/report_repository.h"
#include "repo/tables.h"
#include "repo/user_repository.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/api_app.h"
#include "testing/base/fake_clock.h"
#include "testing/base/temp_dir.h"

namespace k9::identity::cognito {
namespace {

namespace json = boost::json;
using testkit::FakeClock;
using local::KeyStore;
using local::PkeyPtr;
using testkit::TempDir;
using testing::KeyEndpoint;
using testing::rs256_token;

constexpr const char* kClient = "client-1";
constexpr const char* kVictim = "7a1c0000-0000-4000-8000-00000000beef";

class CognitoVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {  // RSA key generation is slow: once per suite
    pool_key_ = KeyStore::generate_rsa_key().release();
    other_key_ = KeyStore::generate_rsa_key().release();
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(pool_key_);
    EVP_PKEY_free(other_key_);
  }

  CognitoVerifierTest() {
    endpoint_.set_keys({testing::jwk_of(pool_key_, "pool-key-1")});
    for (auto& s : tables_.schemas()) store_.ensure_table(s);
  }

  json::object id_claims() const {
    return {{"sub", kVictim}, {"iss", endpoint_.issuer()}, {"aud", kClient}, {"token_use", "id"},
            {"cognito:username", "victim"}, {"name", "Vic Tim"}, {"email", "vic@example.com"},
            {"iat", clock_.seconds()}, {"auth_time", clock_.seconds()}, {"exp", clock_.seconds() + 3600}};
  }
  json::object access_claims() const {
    return {{"sub", kVictim}, {"iss", endpoint_.issuer()}, {"client_id", kClient}, {"token_use", "access"},
            {"username", "victim"}, {"scope", "aws.cognito.signin.user.admin"},
            {"iat", clock_.seconds()}, {"exp", clock_.seconds() + 3600}};
  }
  static json::object header(const std::string& kid = "pool-key-1") { return {{"kid", kid}, {"alg", "RS256"}}; }
  std::string sign(const json::object& claims, const json::object& h = header()) const {
    return rs256_token(pool_key_, h, claims);
  }

  api::Response call(const std::string& method, const std::string& path, const std::string& token,
                     const std::string& body = "") {
    api::Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.headers["authorization"] = "Bearer " + token;
    return app_->handle(r);
  }
  api::Response create_report(const std::string& token) {
    return call("POST", "/reports", token, R"({"title":"Floor","reference":{"model":"Oak"}})");
  }
  // Everything stored about the victim, as text.
  std::string snapshot() {
    auto user = store_.get(tables_.users, {{"user_id", store::AttributeValue::S(kVictim)}});
    store::QueryRequest q;
    q.table = tables_.reports;
    q.index = repo::kUserReportsIndex;
    q.partition = store::AttributeValue::S(kVictim);
    return std::to_string(user.has_value()) + "/" + std::to_string(store_.count(q)) + "/" +
           (user ? std::to_string(user->size()) : "");
  }
  // A hostile token: 401 Unauthorized with `message`, through a write route, nothing changed.
  void expect_refused(const std::string& token, const std::string& message) {
    verifier_.clear_cache();
    const std::string before = snapshot();
    api::Response r = create_report(token);
    EXPECT_EQ(r.status, 401) << r.body;
    auto body = parse_json(r.body).as_object();
    EXPECT_EQ(body.at("code"), "Unauthorized");
    EXPECT_THAT(std::string(body.at("message").as_string()), ::testing::HasSubstr(message));
    EXPECT_EQ(call("PATCH", "/user/profile", token, R"({"name":"Mallory"})").status, 401);
    EXPECT_EQ(snapshot(), before);
  }

  static EVP_PKEY* pool_key_;
  static EVP_PKEY* other_key_;
  KeyEndpoint endpoint_;
  FakeClock clock_;
  JwksCache jwks_{endpoint_.issuer() + "/.well-known/jwks.json", JwksCache::http_fetch, clock_};
  CognitoVerifier verifier_{VerifierOptions{endpoint_.issuer(), kClient}, jwks_, clock_};
  TempDir dir_;
  store::sqlite::SqliteStore store_{(dir_.path() / "k9.db").string()};
  repo::Tables tables_ = repo::Tables::from_env([](const char*) -> const char* { return nullptr; });
  repo::UserRepository users_{store_, tables_.users};
  repo::ReportRepository reports_{store_, tables_, repo::CursorCodec("test-secret-0123456789")};
  std::unique_ptr<api::App> app_ = testkit::make_app({store_, users_, reports_, verifier_, nullptr, {}});
};
EVP_PKEY* CognitoVerifierTest::pool_key_ = nullptr;
EVP_PKEY* CognitoVerifierTest::other_key_ = nullptr;

TEST_F(CognitoVerifierTest, AcceptsPoolIdAndAccessTokensAndSeedsTheProfile) {
  api::Response r = call("GET", "/user/profile", sign(id_claims()));
  ASSERT_EQ(r.status, 200) << r.body;
  auto user = parse_json(r.body).as_object();
  EXPECT_EQ(user.at("id"), kVictim);
  EXPECT_EQ(user.at("name"), "Vic Tim");
  EXPECT_EQ(user.at("email"), "vic@example.com");
  EXPECT_EQ(create_report(sign(access_claims())).status, 201);
  Principal p = verifier_.verify(sign(access_claims()));
  EXPECT_EQ(p.sub, kVictim);
  EXPECT_EQ(p.username, "victim");
  EXPECT_EQ(p.token_use, "access");
  EXPECT_EQ(endpoint_.hits(), 1);  // fetched once, then cached
}

TEST_F(CognitoVerifierTest, ExpiryHasAOneMinuteLeeway) {
  auto claims = id_claims();
  claims["exp"] = clock_.seconds() - 59;
  EXPECT_EQ(verifier_.verify(sign(claims)).sub, kVictim);
  claims["exp"] = clock_.seconds() - 60;
  expect_refused(sign(claims), "token has expired");
}

TEST_F(CognitoVerifierTest, RefusesAlgNone) {
  std::string unsigned_input = testing::b64({{"alg", "none"}, {"kid", "pool-key-1"}}) + "." + testing::b64(id_claims());
  expect_refused(unsigned_input + ".", "malformed token: empty segment");
  expect_refused(unsigned_input + ".c2ln", "unsupported token algorithm");
}

TEST_F(CognitoVerifierTest, RefusesHs256SignedWithThePublicKeyAsSecret) {
  std::string secret = testing::public_pem(pool_key_);
  std::string input = testing::b64({{"alg", "HS256"}, {"kid", "pool-key-1"}}) + "." + testing::b64(id_claims());
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t len = 0;
  ASSERT_TRUE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                        reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, sizeof mac, &len));
  expect_refused(input + "." + base64url_encode(std::string_view(reinterpret_cast<char*>(mac), len)),
                 "unsupported token algorithm");
}

TEST_F(CognitoVerifierTest, RefusesAnotherKeysValidSignature) {
  expect_refused(rs256_token(other_key_, header(), id_claims()), "invalid token signature");
}

TEST_F(CognitoVerifierTest, RefusesUnknownKidAndRefetchesAtMostOnceAMinute) {
  std::string token = rs256_token(other_key_, header("rotated-key"), id_claims());
  expect_refused(token, "unknown token signing key");
  EXPECT_EQ(endpoint_.hits(), 1);
  for (int i = 0; i < 20; ++i) expect_refused(token, "unknown token signing key");
  EXPECT_EQ(endpoint_.hits(), 1);  // a flood of made-up kids costs no fetch
  // The pool rotates in the new key; after a minute the next unknown kid refetches once.
  endpoint_.set_keys({testing::jwk_of(pool_key_, "pool-key-1"), testing::jwk_of(other_key_, "rotated-key")});
  clock_.advance(59);
  expect_refused(token, "unknown token signing key");
  EXPECT_EQ(endpoint_.hits(), 1);
  clock_.advance(1);
  // Claims are re-minted at the new time so only the key matters.
  token = rs256_token(other_key_, header("rotated-key"), id_claims());
  EXPECT_EQ(create_report(token).status, 201);
  EXPECT_EQ(endpoint_.hits(), 2);
  EXPECT_EQ(create_report(sign(id_claims())).status, 201);  // the old key still verifies
  EXPECT_EQ(endpoint_.hits(), 2);
}

TEST_F(CognitoVerifierTest, RefusesExpiredAndNotYetValidTokens) {
  auto expired = id_claims();
  expired["exp"] = clock_.seconds() - 3600;
  expect_refused(sign(expired), "token has expired");
  auto no_exp = id_claims();
  no_exp.erase("exp");
  expect_refused(sign(no_exp), "token has no expiry");
  auto future = id_claims();
  future["nbf"] = clock_.seconds() + 120;
  expect_refused(sign(future), "token is not yet valid");
  auto issued_later = id_claims();
  issued_later["iat"] = clock_.seconds() + 3600;
  expect_refused(sign(issued_later), "token issued in the future");
}

TEST_F(CognitoVerifierTest, RefusesWrongIssuerAudienceClientAndTokenUse) {
  auto c = id_claims();
  c["iss"] = endpoint_.issuer("local_otherpool");
  expect_refused(sign(c), "wrong token issuer");
  c["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool1";
  expect_refused(sign(c), "wrong token issuer");
  c = id_claims();
  c["aud"] = "another-client";
  expect_refused(sign(c), "wrong token audience");
  c.erase("aud");
  c["client_id"] = kClient;  // an id token must name the client in aud
  expect_refused(sign(c), "wrong token audience");
  auto a = access_claims();
  a["client_id"] = "another-client";
  expect_refused(sign(a), "wrong token client");
  a.erase("client_id");
  a["aud"] = kClient;  // an access token must name it in client_id
  expect_refused(sign(a), "wrong token client");
  for (const char* use : {"refresh", "", "ID"}) {
    auto u = id_claims();
    u["token_use"] = use;
    expect_refused(sign(u), "wrong token_use");
  }
  auto none = id_claims();
  none.erase("token_use");
  expect_refused(sign(none), "wrong token_use");
  auto nosub = id_claims();
  nosub.erase("sub");
  expect_refused(sign(nosub), "no subject");
}

TEST_F(CognitoVerifierTest, RefusesAPayloadEditedAfterSigning) {
  std::string token = sign(id_claims());
  size_t d1 = token.find('.'), d2 = token.rfind('.');
  auto edited = id_claims();
  edited["sub"] = "someone-else";
  expect_refused(token.substr(0, d1 + 1) + testing::b64(edited) + token.substr(d2), "invalid token signature");
  // One character of the payload changed.
  std::string flipped = token;
  flipped[d1 + 5] = flipped[d1 + 5] == 'A' ? 'B' : 'A';
  expect_refused(flipped, "");
}

TEST_F(CognitoVerifierTest, RefusesTruncatedPaddedForeignAndOversizedTokens) {
  std::string token = sign(id_claims());
  size_t d2 = token.rfind('.');
  expect_refused(token.substr(0, d2), "expected 3 segments");
  expect_refused(token.substr(0, d2 + 1), "empty segment");
  expect_refused(token.substr(0, token.size() - 4), "");  // a shortened signature
  expect_refused(token + "=", "bad base64url");
  expect_refused(token + "==", "bad base64url");
  std::string foreign = token;
  foreign[d2 + 3] = '+';
  expect_refused(foreign, "bad base64url");
  foreign[d2 + 3] = '/';
  expect_refused(foreign, "bad base64url");
  expect_refused(token + "." + token.substr(d2 + 1), "expected 3 segments");
  expect_refused(token + std::string(9 * 1024, 'A'), "token too large");
  expect_refused(std::string(9 * 1024, 'A') + "." + "B.C", "token too large");
  expect_refused("not a token", "expected 3 segments");
}

TEST_F(CognitoVerifierTest, KeysThatCannotBeReadAre503NotA401) {
  endpoint_.set_status(500);
  api::Response r = create_report(sign(id_claims()));
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(parse_json(r.body).at("code"), "ServiceUnavailable");
  EXPECT_EQ(snapshot(), "0/0/");
  endpoint_.set_status(200);
  EXPECT_EQ(create_report(sign(id_claims())).status, 503);  // retried after min_retry, not at once
  clock_.advance(5);
  EXPECT_EQ(create_report(sign(id_claims())).status, 201);
}

}  // namespace
}  // namespace k9::identity::cognito
