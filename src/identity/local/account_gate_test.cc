// AccountGate through LocalIssuer::verify, on the real embedded store and a fake clock: a
// deleted user's tokens are refused once the gate's ttl has passed, without a store read per
// request (a deletion the gate has not read yet is, by design, not seen before the ttl).
#include "identity/local/account_gate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "identity/local/credential_repository.h"
#include "identity/local/local_issuer.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/base/fake_clock.h"
#include "testing/base/temp_dir.h"

namespace k9::identity::local {
namespace {

using testkit::FakeClock;
using testkit::TempDir;

constexpr const char* kTable = "k9-identities-test";

class AccountGateTest : public ::testing::Test {
 protected:
  AccountGateTest() {
    store_->ensure_table(CredentialRepository::schema(kTable));
    issuer_.require_live_accounts(creds_, AccountGateOptions{std::chrono::seconds(5), 3});
  }

  bool accepted(const std::string& token) {
    try {
      issuer_.verify(token);
      return true;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::unauthorized);
      EXPECT_STREQ(e.what(), kDeletedUser);
      return false;
    }
  }

  TempDir dir_;
  FakeClock clock_{1'800'000'000};
  std::unique_ptr<store::Store> store_ = std::make_unique<store::sqlite::SqliteStore>((dir_.path() / "k9.db").string());
  CredentialRepository creds_{*store_, kTable, PasswordHashing::minimum(), clock_};
  KeyStore keys_{dir_.path() / "keys"};
  LocalIssuer issuer_{keys_, IssuerOptions{}, clock_};
};

TEST_F(AccountGateTest, DeletedUsersTokensAreRefusedOnceTheTtlHasPassed) {
  auto alice = creds_.add("alice", "Correct-horse-1", false);
  auto bob = creds_.add("bob", "Correct-horse-2", false);
  TokenSet a = issuer_.issue(alice), b = issuer_.issue(bob);
  ASSERT_TRUE(accepted(a.id_token));
  ASSERT_TRUE(accepted(a.access_token));
  ASSERT_TRUE(accepted(b.id_token));

  auto removed = creds_.remove("alice");
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->sub, alice.sub);
  EXPECT_FALSE(creds_.remove("alice"));
  // Within the ttl the gate answers from memory: no store read, so the deletion is not seen.
  clock_.advance(4);
  EXPECT_TRUE(accepted(a.id_token));
  // Once the ttl has passed: refused, id and access token alike, and for good.
  clock_.advance(1);
  EXPECT_FALSE(accepted(a.id_token));
  EXPECT_FALSE(accepted(a.access_token));
  clock_.advance(3000);
  EXPECT_FALSE(accepted(a.access_token));
  EXPECT_TRUE(accepted(b.id_token));  // nobody else is touched
  EXPECT_TRUE(accepted(issuer_.issue(bob).id_token));
}

TEST_F(AccountGateTest, ForgetMakesADeletionSeenAtOnce) {
  auto alice = creds_.add("alice", "Correct-horse-1", false);
  std::string token = issuer_.issue(alice).id_token;
  ASSERT_TRUE(accepted(token));
  creds_.remove("alice");
  issuer_.account_gate()->forget("alice");
  EXPECT_FALSE(accepted(token));
}

TEST_F(AccountGateTest, AUserAddedAgainIsSomeoneElse) {
  auto first = creds_.add("alice", "Correct-horse-1", false);
  std::string old_token = issuer_.issue(first).id_token;
  ASSERT_TRUE(accepted(old_token));
  creds_.remove("alice");
  clock_.advance(5);
  ASSERT_FALSE(accepted(old_token));  // the gate now remembers "alice is gone"
  auto second = creds_.add("alice", "Correct-horse-3", false);
  ASSERT_NE(first.sub, second.sub);
  // The new alice's token is newer than that memory: read again, accepted at once.
  clock_.advance(1);
  EXPECT_TRUE(accepted(issuer_.issue(second).id_token));
  EXPECT_FALSE(accepted(old_token));
  clock_.advance(10);
  EXPECT_FALSE(accepted(old_token));
}

TEST_F(AccountGateTest, TokensOfUsersNeverAddedAreRefused) {
  Credential ghost;
  ghost.username = "ghost";
  ghost.sub = "6f1c2d3e-0000-4000-8000-000000000009";
  EXPECT_FALSE(accepted(issuer_.issue(ghost).id_token));
}

TEST_F(AccountGateTest, MemoryIsBoundedAndAClockGoingBackReadsAgain) {
  std::vector<std::string> tokens;
  for (const char* name : {"u1", "u2", "u3", "u4", "u5"})
    tokens.push_back(issuer_.issue(creds_.add(name, "Correct-horse-1", false)).id_token);
  for (int round = 0; round < 2; ++round)
    for (auto& t : tokens) EXPECT_TRUE(accepted(t));  // capacity 3: entries dropped, read again
  creds_.remove("u5");
  clock_.advance(-1);  // an entry read "in the future" is stale, not fresh for longer
  EXPECT_FALSE(accepted(tokens[4]));
}

}  // namespace
}  // namespace k9::identity::local
