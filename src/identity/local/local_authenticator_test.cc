// LocalAuthenticator end to end: users in the real embedded store, tokens from LocalIssuer.
#include "identity/local/local_authenticator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "identity/fake_clock.h"
#include "identity/local/test_support.h"
#include "store/sqlite/sqlite_store.h"

namespace k9::identity::local {
namespace {

using identity::testing::FakeClock;
using testing::TempDir;

class LocalAuthenticatorTest : public ::testing::Test {
 protected:
  LocalAuthenticatorTest() {
    store_.ensure_table(CredentialRepository::schema("k9-identities-test"));
    repo_.add("alice", "correct horse", false, "Alice", "alice@example.com");
    repo_.add("temp", "temporary-pass", true);
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
  LocalAuthenticator auth_{repo_, issuer_};
};

TEST_F(LocalAuthenticatorTest, RightPasswordAnswersTokensThatVerify) {
  LoginResult r = auth_.login("alice", "correct horse", "127.0.0.1");
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
  std::string wrong_password = login_error("alice", "wrong horse", ErrorCode::unauthorized);
  std::string wrong_user = login_error("mallory", "correct horse", ErrorCode::unauthorized);
  std::string invalid_user = login_error("bad name;", "correct horse", ErrorCode::unauthorized);
  EXPECT_EQ(wrong_password, "Incorrect username or password.");
  EXPECT_EQ(wrong_user, wrong_password);
  EXPECT_EQ(invalid_user, wrong_password);
}

TEST_F(LocalAuthenticatorTest, TemporaryUserGetsTheNewPasswordChallenge) {
  LoginResult r = auth_.login("temp", "temporary-pass", "127.0.0.1");
  EXPECT_FALSE(r.tokens);
  EXPECT_EQ(r.challenge, "NEW_PASSWORD_REQUIRED");
  EXPECT_GE(r.session.size(), 40u);
  EXPECT_NE(auth_.login("temp", "temporary-pass", "127.0.0.1").session, r.session);
  // A temporary user with a wrong password gets no challenge.
  EXPECT_EQ(login_error("temp", "wrong-pass", ErrorCode::unauthorized), "Incorrect username or password.");
}

TEST_F(LocalAuthenticatorTest, MissingFieldsAreBadRequests) {
  EXPECT_THAT(login_error("", "correct horse", ErrorCode::bad_request), ::testing::HasSubstr("username"));
  EXPECT_THAT(login_error("alice", "", ErrorCode::bad_request), ::testing::HasSubstr("password"));
}

}  // namespace
}  // namespace k9::identity::local
