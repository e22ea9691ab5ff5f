#include "identity/local/local_issuer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "core/encoding.h"
#include "core/error.h"
#include "identity/local/jwt.h"
#include "testing/base/fake_clock.h"
#include "testing/base/temp_dir.h"

namespace k9::identity::local {
namespace {

namespace json = boost::json;
using testkit::FakeClock;
using testkit::TempDir;

json::object payload_of(const std::string& token) {
  size_t d1 = token.find('.'), d2 = token.rfind('.');
  return json::parse(*base64url_decode(token.substr(d1 + 1, d2 - d1 - 1))).as_object();
}

Credential alice() {
  Credential c;
  c.username = "alice";
  c.sub = "6f1c2d3e-0000-4000-8000-000000000001";
  c.name = "Alice Liddell";
  c.email = "alice@example.com";
  return c;
}

void expect_unauthorized(TokenVerifier& verifier, std::string_view token, const std::string& message) {
  try {
    verifier.verify(token);
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::unauthorized);
    EXPECT_THAT(e.what(), ::testing::HasSubstr(message));
  }
}

class LocalIssuerTest : public ::testing::Test {
 protected:
  TempDir dir_;
  KeyStore keys_{dir_.path()};
  FakeClock clock_;
  LocalIssuer issuer_{keys_, IssuerOptions{}, clock_};
};

TEST_F(LocalIssuerTest, IssuesCognitoShapedTokens) {
  TokenSet t = issuer_.issue(alice());
  EXPECT_EQ(t.expires_in, 3600);
  EXPECT_TRUE(t.refresh_token.empty());
  auto id = payload_of(t.id_token);
  EXPECT_EQ(id.at("sub").as_string(), alice().sub);
  EXPECT_EQ(id.at("iss").as_string(), "k9-local");
  EXPECT_EQ(id.at("aud").as_string(), "k9");
  EXPECT_EQ(id.at("token_use").as_string(), "id");
  EXPECT_EQ(id.at("cognito:username").as_string(), "alice");
  EXPECT_EQ(id.at("name").as_string(), "Alice Liddell");
  EXPECT_EQ(id.at("email").as_string(), "alice@example.com");
  EXPECT_EQ(id.at("iat").as_int64(), clock_.seconds());
  EXPECT_EQ(id.at("exp").as_int64(), clock_.seconds() + 3600);
  EXPECT_EQ(id.size(), 9u);

  auto access = payload_of(t.access_token);
  EXPECT_EQ(access.at("sub").as_string(), alice().sub);
  EXPECT_EQ(access.at("iss").as_string(), "k9-local");
  EXPECT_EQ(access.at("client_id").as_string(), "k9");
  EXPECT_EQ(access.at("token_use").as_string(), "access");
  EXPECT_EQ(access.at("username").as_string(), "alice");
  EXPECT_EQ(access.at("scope").as_string(), "openid");
  EXPECT_EQ(access.at("exp").as_int64(), clock_.seconds() + 3600);
  EXPECT_EQ(access.at("jti").as_string().size(), 36u);
  EXPECT_FALSE(access.contains("email"));
  EXPECT_NE(payload_of(issuer_.issue(alice()).access_token).at("jti"), access.at("jti"));
}

TEST_F(LocalIssuerTest, VerifiesItsOwnIdAndAccessTokens) {
  TokenSet t = issuer_.issue(alice());
  Principal id = issuer_.verify(t.id_token);
  EXPECT_EQ(id.sub, alice().sub);
  EXPECT_EQ(id.username, "alice");
  EXPECT_EQ(id.name, "Alice Liddell");
  EXPECT_EQ(id.email, "alice@example.com");
  EXPECT_EQ(id.token_use, "id");
  EXPECT_EQ(id.expires_at, clock_.seconds() + 3600);
  Principal access = issuer_.verify(t.access_token);
  EXPECT_EQ(access.sub, alice().sub);
  EXPECT_EQ(access.username, "alice");
  EXPECT_EQ(access.token_use, "access");
  EXPECT_TRUE(access.email.empty());
}

TEST_F(LocalIssuerTest, CachedTokensStillExpire) {
  TokenSet t = issuer_.issue(alice());
  issuer_.verify(t.id_token);  // now cached
  issuer_.verify(t.id_token);
  clock_.advance(3600);
  expect_unauthorized(issuer_, t.id_token, "token has expired");
}

TEST_F(LocalIssuerTest, RefusesWhatTheCacheMustNotHide) {
  TokenSet t = issuer_.issue(alice());
  issuer_.verify(t.id_token);
  std::string edited = t.id_token;
  edited.back() = edited.back() == 'A' ? 'B' : 'A';
  expect_unauthorized(issuer_, edited, "token");
  expect_unauthorized(issuer_, "", "missing token");
  expect_unauthorized(issuer_, std::string(kMaxTokenBytes + 1, 'a'), "token too large");
}

TEST_F(LocalIssuerTest, RefusesTokensOfAnotherIssuerName) {
  LocalIssuer other(keys_, IssuerOptions{.issuer = "k9-other"}, clock_);
  expect_unauthorized(issuer_, other.issue(alice()).id_token, "wrong token issuer");
}

TEST_F(LocalIssuerTest, RefusesTokenUsesItDoesNotAccept) {
  LocalIssuer access_only(keys_, IssuerOptions{.accepted_token_uses = {"access"}}, clock_);
  TokenSet t = issuer_.issue(alice());
  EXPECT_NO_THROW(access_only.verify(t.access_token));
  expect_unauthorized(access_only, t.id_token, "wrong token_use");
}

TEST_F(LocalIssuerTest, RefusesAnotherAudience) {
  LocalIssuer other_client(keys_, IssuerOptions{.client_id = "other-app"}, clock_);
  TokenSet t = other_client.issue(alice());
  expect_unauthorized(issuer_, t.id_token, "wrong token audience");
  expect_unauthorized(issuer_, t.access_token, "wrong token audience");
}

TEST_F(LocalIssuerTest, RefusesTokensWithoutSubject) {
  auto c = alice();
  c.sub.clear();
  expect_unauthorized(issuer_, issuer_.issue(c).access_token, "no subject");
}

TEST_F(LocalIssuerTest, RotationKeepsRecentTokensValid) {
  TokenSet before = issuer_.issue(alice());
  keys_.rotate();
  TokenSet after = issuer_.issue(alice());
  EXPECT_NO_THROW(issuer_.verify(before.id_token));
  EXPECT_NO_THROW(issuer_.verify(after.id_token));
  keys_.rotate();
  keys_.rotate();  // the first key is now past the last three
  issuer_.clear_cache();
  expect_unauthorized(issuer_, before.id_token, "unknown token signing key");
  EXPECT_NO_THROW(issuer_.verify(after.id_token));
}

TEST_F(LocalIssuerTest, ConcurrentVerification) {
  std::vector<TokenSet> tokens;
  for (int i = 0; i < 8; ++i) {
    auto c = alice();
    c.sub = "sub-" + std::to_string(i);
    tokens.push_back(issuer_.issue(c));
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        int i = (round + t) % 8;
        if (issuer_.verify(tokens[i].access_token).sub != "sub-" + std::to_string(i)) ++wrong;
        try {
          issuer_.verify(tokens[i].access_token + "x");
          ++wrong;
        } catch (const Error&) {
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace k9::identity::local
