// ReportRepository's additions for clients that choose report ids (the published web app's
// job ids, api/webapp_routes.h): create with a chosen id, exists(), toggle_favorite(). The
// rest of the repository is covered through the API (api/app_test.cc, the authorization
// matrix).
#include "repo/report_repository.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "core/error.h"
#include "testing/base/temp_dir.h"
#include "testing/store/sqlite_on_disk.h"

namespace k9::repo {
namespace {

class ReportRepositoryTest : public ::testing::Test {
 protected:
  Product reference(const std::string& model = "Oak") {
    Product p;
    p.model = model;
    p.images.push_back({"", "images/u/a.jpg"});
    return p;
  }

  testkit::TempDir dir_{"report-repo"};
  Tables tables_ = testkit::default_tables();
  std::unique_ptr<store::Store> store_ = testkit::open_sqlite(dir_.path(), tables_);
  ReportRepository reports_{*store_, tables_, CursorCodec("report-repo-test-secret-0123")};
};

TEST_F(ReportRepositoryTest, ACallerChosenIdIsTakenOnceWhoeverAsks) {
  const std::string job = "mx9e1caoqifx2d__title__kitchen-floor";
  EXPECT_FALSE(reports_.exists(job));
  Report r = reports_.create("alice", "Alice", "Kitchen Floor", reference(), {}, job);
  EXPECT_EQ(r.id, job);
  EXPECT_TRUE(reports_.exists(job));
  EXPECT_EQ(reports_.get("alice", job).title, "Kitchen Floor");
  EXPECT_EQ(reports_.list("alice", 10, "").reports.at(0).id, job);

  // Taken: by its owner or anyone else, the same conflict, and nothing changes.
  for (const char* user : {"alice", "bob"}) {
    try {
      reports_.create(user, "Someone", "Other", reference("Pine"), {}, job);
      ADD_FAILURE() << user << " claimed a taken id";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::conflict);
      EXPECT_EQ(e.message(), "A report with this id already exists");
    }
  }
  EXPECT_EQ(reports_.get("alice", job).reference.model, "Oak");
  EXPECT_EQ(reports_.list("bob", 10, "").total, 0u);
  EXPECT_THROW(reports_.get("bob", job), Error);  // still alice's: not_found for bob

  // Generated ids are still generated.
  Report other = reports_.create("bob", "Bob", "Mine", reference());
  EXPECT_NE(other.id, job);
  EXPECT_EQ(other.id.size(), 36u);
  EXPECT_TRUE(reports_.exists(other.id));
  reports_.remove("bob", other.id);
  EXPECT_FALSE(reports_.exists(other.id));
}

TEST_F(ReportRepositoryTest, ToggleFavoriteAddsOrRemovesOneInOneWrite) {
  Report r = reports_.create("alice", "Alice", "Kitchen", reference());
  EXPECT_EQ(reports_.toggle_favorite("alice", r.id, "p-1"), (std::vector<std::string>{"p-1"}));
  EXPECT_EQ(reports_.toggle_favorite("alice", r.id, "p-2"), (std::vector<std::string>{"p-1", "p-2"}));
  EXPECT_EQ(reports_.toggle_favorite("alice", r.id, "p-1"), (std::vector<std::string>{"p-2"}));
  EXPECT_EQ(reports_.get("alice", r.id).favorites, (std::vector<std::string>{"p-2"}));
  // Another user's report: not found, unchanged.
  try {
    reports_.toggle_favorite("bob", r.id, "p-3");
    ADD_FAILURE() << "bob toggled alice's favorite";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::not_found);
  }
  EXPECT_EQ(reports_.get("alice", r.id).favorites, (std::vector<std::string>{"p-2"}));

  // Toggles at once are each applied once (the version check rereads and retries): the
  // favorite ends present exactly when an odd number of them succeeded.
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 5; ++i)
    threads.emplace_back([&] {
      try {
        reports_.toggle_favorite("alice", r.id, "p-9");
        ++done;
      } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::conflict) << e.what();  // retries ran out: a clear 409
      }
    });
  for (auto& t : threads) t.join();
  auto after = reports_.get("alice", r.id).favorites;
  bool present = std::find(after.begin(), after.end(), "p-9") != after.end();
  EXPECT_GE(done.load(), 1);
  EXPECT_EQ(present, done.load() % 2 == 1) << done.load() << " toggles succeeded";
  EXPECT_EQ(after.front(), "p-2");
}

}  // namespace
}  // namespace k9::repo
