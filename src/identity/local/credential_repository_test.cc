// CredentialRepository against the real embedded store (SqliteStore).
#include "identity/local/credential_repository.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sodium.h>

#include <functional>
#include <regex>

#include "core/error.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/base/fake_clock.h"
#include "testing/base/temp_dir.h"

namespace k9::identity::local {
namespace {

using testkit::FakeClock;
using store::AttributeValue;
using testkit::TempDir;

constexpr const char* kTable = "k9-identities-test";

void expect_error(ErrorCode code, const std::string& message, const std::function<void()>& f) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_THAT(e.what(), ::testing::HasSubstr(message));
  }
}

class CredentialRepositoryTest : public ::testing::Test {
 protected:
  CredentialRepositoryTest() { store_->ensure_table(CredentialRepository::schema(kTable)); }

  std::optional<store::Item> raw(const std::string& username) {
    return store_->get(kTable, {{"username", AttributeValue::S(username)}});
  }

  TempDir dir_;
  FakeClock clock_{1'800'000'000};
  std::unique_ptr<store::Store> store_ = std::make_unique<store::sqlite::SqliteStore>((dir_.path() / "k9.db").string());
  CredentialRepository repo_{*store_, kTable, PasswordHashing::minimum(), clock_};
};

TEST_F(CredentialRepositoryTest, SchemaIsKeyedByUsername) {
  auto s = CredentialRepository::schema("k9-identities-dev");
  EXPECT_EQ(s.name, "k9-identities-dev");
  EXPECT_EQ(s.key.partition_key, "username");
  EXPECT_EQ(s.key.partition_type, store::AttrType::S);
  EXPECT_FALSE(s.key.has_sort_key());
  EXPECT_TRUE(s.indexes.empty());
}

TEST_F(CredentialRepositoryTest, AddStoresAnArgon2idHashNeverThePassword) {
  Credential c = repo_.add("alice", "Correct horse", false, "Alice", "alice@example.com");
  EXPECT_EQ(c.username, "alice");
  EXPECT_TRUE(std::regex_match(c.sub, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_EQ(c.created_at, "2027-01-15T08:00:00.000Z");
  EXPECT_EQ(c.updated_at, c.created_at);
  EXPECT_FALSE(c.temporary);

  auto item = raw("alice");
  ASSERT_TRUE(item);
  const std::string& hash = item->at("password_hash").s();
  EXPECT_THAT(hash, ::testing::StartsWith("$argon2id$v=19$m=8,t=1,"));  // the configured (minimum) limits
  EXPECT_THAT(hash, ::testing::Not(::testing::HasSubstr("Correct horse")));
  EXPECT_EQ(item->at("sub").s(), c.sub);
  EXPECT_EQ(item->at("temporary"), AttributeValue::Bool(false));
  EXPECT_EQ(item->at("name").s(), "Alice");
  EXPECT_EQ(item->at("email").s(), "alice@example.com");
  EXPECT_EQ(item->at("created_at").s(), "2027-01-15T08:00:00.000Z");
}

TEST_F(CredentialRepositoryTest, InteractiveLimitsAreTheDefault) {
  auto limits = PasswordHashing::interactive();
  EXPECT_EQ(limits.opslimit, crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE);
  EXPECT_EQ(limits.memlimit, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
}

TEST_F(CredentialRepositoryTest, FindAnswersTheCredential) {
  Credential added = repo_.add("bob@example.com", "Password1", true);
  auto found = repo_.find("bob@example.com");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->sub, added.sub);
  EXPECT_TRUE(found->temporary);
  EXPECT_TRUE(found->name.empty());
  EXPECT_FALSE(repo_.find("nobody"));
  EXPECT_FALSE(repo_.find("not a valid name"));
  EXPECT_FALSE(raw("bob@example.com")->contains("name"));
}

TEST_F(CredentialRepositoryTest, TakenUsernameIsAConflictAndChangesNothing) {
  Credential first = repo_.add("carol", "Password1", false);
  expect_error(ErrorCode::conflict, "username already exists", [&] { repo_.add("carol", "Password2", true); });
  EXPECT_EQ(repo_.find("carol")->sub, first.sub);
  EXPECT_TRUE(repo_.verify_password("carol", "Password1"));
  EXPECT_FALSE(repo_.verify_password("carol", "Password2"));
}

TEST_F(CredentialRepositoryTest, UsernamesAreCaseSensitive) {
  repo_.add("dave", "Password1", false);
  EXPECT_NO_THROW(repo_.add("Dave", "Password2", false));
  EXPECT_NE(repo_.find("dave")->sub, repo_.find("Dave")->sub);
}

TEST_F(CredentialRepositoryTest, ValidatesUsernames) {
  EXPECT_NO_THROW(repo_.add(std::string(128, 'a'), "Password1", false));
  EXPECT_NO_THROW(repo_.add("A.z_0@9+x-y", "Password1", false));
  expect_error(ErrorCode::bad_request, "username is required", [&] { repo_.add("", "Password1", false); });
  for (std::string bad : {std::string(129, 'a'), std::string("has space"), std::string("semi;colon"),
                          std::string("slash/"), std::string("caf\xc3\xa9"), std::string("nul\0x", 5),
                          std::string("#hash")}) {
    expect_error(ErrorCode::bad_request, "username must be 1 to 128 characters", [&] { repo_.add(bad, "Password1", false); });
    EXPECT_FALSE(raw(bad));
  }
}

TEST_F(CredentialRepositoryTest, ValidatesPasswords) {
  expect_error(ErrorCode::bad_request, "password is required", [&] { repo_.add("erin", "", false); });
  expect_error(ErrorCode::bad_request, "password must be 8 to 256 bytes", [&] { repo_.add("erin", "short", false); });
  expect_error(ErrorCode::bad_request, "password must be 8 to 256 bytes",
               [&] { repo_.add("erin", std::string(257, 'p'), false); });
  // The policy: at least 3 of lower, upper, digit, symbol; the message states all of it.
  const std::string policy =
      "password must be 8 to 256 bytes long and contain at least 3 of: lower-case letters, upper-case letters, "
      "digits, symbols";
  for (const char* weak : {"alllowercase", "lower-and-symbols", "UPPER123456", "12345678!!", "Short1!"})
    expect_error(ErrorCode::bad_request, policy, [&] { repo_.add("erin", weak, false); });
  EXPECT_FALSE(repo_.find("erin"));
  EXPECT_EQ(password_classes("aA1!"), 4);
  EXPECT_EQ(password_classes("abc def"), 2);  // space is a symbol
  EXPECT_EQ(password_classes("\xc3\xa9" "t" "\xc3\xa9" "Ab"), 3);  // non-ASCII counts as a symbol
  EXPECT_NO_THROW(repo_.add("erin", "lower UPPER", false));
  EXPECT_NO_THROW(repo_.add("erin2", "Lower1234", false));
}

TEST_F(CredentialRepositoryTest, ChallengeSessionIsStoredHashedAndAnsweredOnce) {
  repo_.add("ivy", "Temporary-1", true);
  repo_.open_challenge("ivy", "session-one", clock_.seconds() + 300);
  auto item = raw("ivy");
  ASSERT_TRUE(item);
  EXPECT_EQ(item->at("challenge_hash").s().size(), 64u);
  EXPECT_THAT(item->at("challenge_hash").s(), ::testing::Not(::testing::HasSubstr("session-one")));
  EXPECT_EQ(item->at("challenge_expires_at").n(), std::to_string(clock_.seconds() + 300));

  // Wrong session, unknown user, empty session: 401 with one message; nothing changes.
  const std::string before = item->at("password_hash").s();
  expect_error(ErrorCode::unauthorized, kInvalidSession, [&] { repo_.answer_challenge("ivy", "session-two", "New-pass-1"); });
  expect_error(ErrorCode::unauthorized, kInvalidSession, [&] { repo_.answer_challenge("nobody", "session-one", "New-pass-1"); });
  expect_error(ErrorCode::unauthorized, kInvalidSession, [&] { repo_.answer_challenge("ivy", "", "New-pass-1"); });
  // A weak password: 400, and the session stays open.
  expect_error(ErrorCode::bad_request, "newPassword must be", [&] { repo_.answer_challenge("ivy", "session-one", "weak"); });
  EXPECT_EQ(raw("ivy")->at("password_hash").s(), before);
  EXPECT_TRUE(raw("ivy")->at("temporary").boolean());

  Credential c = repo_.answer_challenge("ivy", "session-one", "New-pass-1");
  EXPECT_FALSE(c.temporary);
  EXPECT_TRUE(repo_.verify_password("ivy", "New-pass-1"));
  EXPECT_FALSE(repo_.verify_password("ivy", "Temporary-1"));
  EXPECT_FALSE(raw("ivy")->contains("challenge_hash"));
  EXPECT_FALSE(raw("ivy")->contains("challenge_expires_at"));
  // Once only.
  expect_error(ErrorCode::unauthorized, kInvalidSession, [&] { repo_.answer_challenge("ivy", "session-one", "Other-pass-2"); });
  EXPECT_TRUE(repo_.verify_password("ivy", "New-pass-1"));
}

TEST_F(CredentialRepositoryTest, ExpiredChallengeSessionIsGoneAndChangesNothing) {
  repo_.add("jack", "Temporary-1", true);
  repo_.open_challenge("jack", "session-one", clock_.seconds() + 300);
  clock_.advance(299);
  repo_.open_challenge("jack", "session-two", clock_.seconds() + 300);  // a later login replaces it
  expect_error(ErrorCode::unauthorized, kInvalidSession, [&] { repo_.answer_challenge("jack", "session-one", "New-pass-1"); });
  clock_.advance(300);
  const auto before = raw("jack");
  expect_error(ErrorCode::gone, kExpiredSession, [&] { repo_.answer_challenge("jack", "session-two", "New-pass-1"); });
  EXPECT_EQ(raw("jack"), before);
  EXPECT_TRUE(repo_.verify_password("jack", "Temporary-1"));
  expect_error(ErrorCode::not_found, "user not found", [&] { repo_.open_challenge("nobody", "s", 1); });
  EXPECT_FALSE(raw("nobody"));
}

TEST_F(CredentialRepositoryTest, VerifyPassword) {
  Credential added = repo_.add("frank", "s3cret-pass", false, "Frank");
  auto ok = repo_.verify_password("frank", "s3cret-pass");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->sub, added.sub);
  EXPECT_EQ(ok->name, "Frank");
  EXPECT_FALSE(repo_.verify_password("frank", "s3cret-pasS"));
  EXPECT_FALSE(repo_.verify_password("frank", ""));
  EXPECT_FALSE(repo_.verify_password("frank", std::string("s3cret-pass\0", 12)));
  EXPECT_FALSE(repo_.verify_password("Frank", "s3cret-pass"));
  EXPECT_FALSE(repo_.verify_password("nobody", "s3cret-pass"));  // runs the dummy hash
  EXPECT_FALSE(repo_.verify_password("", "s3cret-pass"));
  EXPECT_FALSE(repo_.verify_password(std::string(1000, 'x'), "s3cret-pass"));
}

TEST_F(CredentialRepositoryTest, SetPasswordReplacesTheHashAndClearsTemporary) {
  repo_.add("gina", "First-pass", true);
  clock_.advance(60);
  Credential c = repo_.set_password("gina", "Second-pass");
  EXPECT_FALSE(c.temporary);
  EXPECT_EQ(c.updated_at, "2027-01-15T08:01:00.000Z");
  EXPECT_EQ(c.created_at, "2027-01-15T08:00:00.000Z");
  EXPECT_FALSE(repo_.verify_password("gina", "First-pass"));
  EXPECT_TRUE(repo_.verify_password("gina", "Second-pass"));
  expect_error(ErrorCode::not_found, "user not found", [&] { repo_.set_password("nobody", "Second-pass"); });
  EXPECT_FALSE(raw("nobody"));
  expect_error(ErrorCode::bad_request, "newPassword", [&] { repo_.set_password("gina", "x"); });
}

TEST_F(CredentialRepositoryTest, SurvivesReopeningTheStore) {
  Credential added = repo_.add("hank", "Password1", false);
  store_.reset();
  store::sqlite::SqliteStore reopened((dir_.path() / "k9.db").string());
  reopened.ensure_table(CredentialRepository::schema(kTable));
  CredentialRepository again(reopened, kTable, PasswordHashing::minimum(), clock_);
  auto c = again.verify_password("hank", "Password1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->sub, added.sub);
}

}  // namespace
}  // namespace k9::identity::local
