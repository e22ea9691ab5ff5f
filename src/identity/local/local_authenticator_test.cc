// LocalAuthenticator end to end: users in the real embedded store, tokens from LocalIssuer.
#include "identity/local/local_authenticator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "core/error.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/base/fake_clock.h"
#include "testing/base/temp_dir.h"

namespace k9::identity::local {
namespace {

using testkit::FakeClock;
using testkit::TempDir;

class LocalAuthenticatorTest : public ::testing::Test {
 protected:
  LocalAuthenticatorTest() {
    store_.ensure_table(CredentialRepository::schema("k9-identities-test"));
    store_.ensure_table(RefreshTokenRepository::schema("k9-refresh-tokens-test"));
    repo_.add("alice", "Correct horse", false, "Alice", "alice@example.com");
    repo_.add("temp", "Temporary-pass", true);
  }

  std::string login_error(const std::string& user, const std::string& password, ErrorCode expected) {
    try {
      auth_.login(user, password, "127.0.0.1");
      ADD_FAILURE() << "logged in";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), expected) << e.what();
      return e.what();
    }
    return {};
  }

  TempDir dir_;
  FakeClock clock_;
  store::sqlite::SqliteStore store_{(dir_.path() / "k9.db").string()};
  CredentialRepository repo_{store_, "k9-identities-test", PasswordHashing::minimum(), clock_};
  KeyStore keys_{dir_.path()};
  LocalIssuer issuer_{keys_, IssuerOptions{}, clock_};
  RefreshTokenRepository refresh_{store_, "k9-refresh-tokens-test", RefreshTokenRepository::kDefaultLifetime, clock_};
  LoginThrottle throttle_{ThrottleLimits{}, clock_};
  LocalAuthenticator auth_{repo_, issuer_, refresh_, throttle_, LocalAuthOptions{}, clock_};
};

TEST_F(LocalAuthenticatorTest, RightPasswordAnswersTokensThatVerify) {
  LoginResult r = auth_.login("alice", "Correct horse", "127.0.0.1");
  ASSERT_TRUE(r.tokens);
  EXPECT_TRUE(r.challenge.empty());
  EXPECT_EQ(r.tokens->expires_in, 3600);
  Principal p = issuer_.verify(r.tokens->id_token);
  EXPECT_EQ(p.username, "alice");
  EXPECT_EQ(p.sub, repo_.find("alice")->sub);
  EXPECT_EQ(p.email, "alice@example.com");
  EXPECT_EQ(issuer_.verify(r.tokens->access_token).sub, p.sub);
}

TEST_F(LocalAuthenticatorTest, WrongUserAndWrongPasswordLookTheSame) {
  std::string wrong_password = login_error("alice", "Wrong horse", ErrorCode::unauthorized);
  std::string wrong_user = login_error("mallory", "Correct horse", ErrorCode::unauthorized);
  std::string invalid_user = login_error("bad name;", "Correct horse", ErrorCode::unauthorized);
  EXPECT_EQ(wrong_password, "Incorrect username or password.");
  EXPECT_EQ(wrong_user, wrong_password);
  EXPECT_EQ(invalid_user, wrong_password);
}

TEST_F(LocalAuthenticatorTest, TemporaryUserGetsTheNewPasswordChallenge) {
  LoginResult r = auth_.login("temp", "Temporary-pass", "127.0.0.1");
  EXPECT_FALSE(r.tokens);
  EXPECT_EQ(r.challenge, "NEW_PASSWORD_REQUIRED");
  EXPECT_GE(r.session.size(), 40u);
  EXPECT_NE(auth_.login("temp", "Temporary-pass", "127.0.0.1").session, r.session);
  // A temporary user with a wrong password gets no challenge.
  EXPECT_EQ(login_error("temp", "wrong-pass", ErrorCode::unauthorized), "Incorrect username or password.");
}

// The default (Cognito's behaviour, which the published web app relies on: it keeps its first
// refresh token for the whole session): a refresh token serves again and again until it
// expires, and a refresh answers no new one.
TEST_F(LocalAuthenticatorTest, ByDefaultARefreshTokenServesAgainUntilItExpires) {
  EXPECT_FALSE(auth_.options().rotate_refresh_tokens);
  LoginResult r = auth_.login("alice", "Correct horse", "127.0.0.1");
  ASSERT_TRUE(r.tokens);
  ASSERT_EQ(r.tokens->refresh_token.size(), 43u);
  const std::string token = r.tokens->refresh_token;
  for (int i = 0; i < 3; ++i) {
    clock_.advance(3500);  // each refresh once the last tokens are about to expire
    TokenSet next = auth_.refresh("alice", token, "127.0.0.1");
    EXPECT_EQ(issuer_.verify(next.id_token).username, "alice");
    EXPECT_EQ(next.expires_in, 3600);
    EXPECT_TRUE(next.refresh_token.empty()) << "no rotation: no new refresh token";
  }
  clock_.advance(RefreshTokenRepository::kDefaultLifetime.count());
  try {
    auth_.refresh("alice", token, "");
    ADD_FAILURE() << "expired token accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::unauthorized);
    EXPECT_STREQ(e.what(), "Refresh token has expired");
  }
  // A revoked one (sign-out, `k9 users revoke`) stops at once.
  std::string other = auth_.login("alice", "Correct horse", "").tokens->refresh_token;
  ASSERT_TRUE(refresh_.revoke(other));
  EXPECT_THROW(auth_.refresh("alice", other, ""), Error);
}

// The option (K9_REFRESH_ROTATION=on): every refresh consumes the token and answers the next;
// a used token coming back revokes the user's tokens.
TEST_F(LocalAuthenticatorTest, WithRotationARefreshTokenServesOnce) {
  LocalAuthenticator rotating{repo_, issuer_, refresh_, throttle_, LocalAuthOptions{.rotate_refresh_tokens = true}, clock_};
  LoginResult r = rotating.login("alice", "Correct horse", "127.0.0.1");
  ASSERT_TRUE(r.tokens);
  clock_.advance(10);
  TokenSet next = rotating.refresh("alice", r.tokens->refresh_token, "127.0.0.1");
  EXPECT_EQ(issuer_.verify(next.id_token).username, "alice");
  ASSERT_EQ(next.refresh_token.size(), 43u);
  EXPECT_NE(next.refresh_token, r.tokens->refresh_token);
  // The used one is refused, and its reuse revokes the user's other tokens too.
  EXPECT_THROW(rotating.refresh("alice", r.tokens->refresh_token, "127.0.0.1"), Error);
  try {
    rotating.refresh("alice", next.refresh_token, "127.0.0.1");
    ADD_FAILURE() << "a token of a user whose used token came back must be revoked";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::unauthorized);
    EXPECT_STREQ(e.what(), "Refresh token has been revoked");
  }
}

TEST_F(LocalAuthenticatorTest, TemporaryUserSetsAPasswordWithTheSession) {
  LoginResult r = auth_.login("temp", "Temporary-pass", "127.0.0.1");
  ASSERT_EQ(r.challenge, "NEW_PASSWORD_REQUIRED");
  clock_.advance(299);
  auth_.respond_new_password("temp", "Brand-new-1", r.session, "127.0.0.1");
  LoginResult after = auth_.login("temp", "Brand-new-1", "127.0.0.1");
  ASSERT_TRUE(after.tokens);
  EXPECT_EQ(issuer_.verify(after.tokens->access_token).username, "temp");
}

TEST_F(LocalAuthenticatorTest, ChallengeSessionExpiresAfterFiveMinutes) {
  LoginResult r = auth_.login("temp", "Temporary-pass", "127.0.0.1");
  clock_.advance(300);
  try {
    auth_.respond_new_password("temp", "Brand-new-1", r.session, "127.0.0.1");
    ADD_FAILURE() << "expired session accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::gone);
  }
  EXPECT_FALSE(auth_.login("temp", "Temporary-pass", "127.0.0.1").tokens);  // still temporary
}

TEST_F(LocalAuthenticatorTest, FailedLoginsAreThrottledPerUserWithoutTellingWhoExists) {
  for (const std::string user : {"alice", "nobody"}) {
    for (int i = 0; i < 5; ++i) login_error(user, "Wrong-pass-1", ErrorCode::unauthorized);
    try {
      auth_.login(user, "Wrong-pass-1", "10.0.0.1");
      ADD_FAILURE() << "not throttled: " << user;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::too_many_requests) << user;
      EXPECT_STREQ(e.what(), kTooManyAttempts);
      EXPECT_EQ(e.retry_after(), 15 * 60);
    }
  }
  // Even the right password waits; after the window it works.
  EXPECT_EQ(login_error("alice", "Correct horse", ErrorCode::too_many_requests), kTooManyAttempts);
  clock_.advance(15 * 60);
  EXPECT_TRUE(auth_.login("alice", "Correct horse", "127.0.0.1").tokens);
}

TEST_F(LocalAuthenticatorTest, RefreshAndResetNeedTheirFields) {
  auto code_of = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::internal;
  };
  EXPECT_EQ(code_of([&] { auth_.refresh("", "x", ""); }), ErrorCode::bad_request);
  EXPECT_EQ(code_of([&] { auth_.refresh("alice", "", ""); }), ErrorCode::bad_request);
  EXPECT_EQ(code_of([&] { auth_.refresh("alice", "not-a-token", ""); }), ErrorCode::unauthorized);
  EXPECT_EQ(code_of([&] { auth_.respond_new_password("temp", "", "s", ""); }), ErrorCode::bad_request);
  EXPECT_EQ(code_of([&] { auth_.respond_new_password("temp", "Brand-new-1", "", ""); }), ErrorCode::bad_request);
  EXPECT_EQ(code_of([&] { auth_.respond_new_password("temp", "Brand-new-1", "made-up", ""); }), ErrorCode::unauthorized);
}

TEST_F(LocalAuthenticatorTest, MissingFieldsAreBadRequests) {
  EXPECT_THAT(login_error("", "Correct horse", ErrorCode::bad_request), ::testing::HasSubstr("username"));
  EXPECT_THAT(login_error("alice", "", ErrorCode::bad_request), ::testing::HasSubstr("password"));
}

}  // namespace
}  // namespace k9::identity::local
