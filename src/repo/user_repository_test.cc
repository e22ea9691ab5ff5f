// UserRepository and the spellings of `preferences` (issue 17): the Python generation's
// UserPreferences wrote camelCase keys inside the map, K9 once wrote its member names. Both
// read; the generation's is written; keys K9 does not know stay. tests/test_boto3_compat.py
// checks the same through boto3 on DynamoDB Local.
#include "repo/user_repository.h"

#include <gtest/gtest.h>

#include "testing/base/temp_dir.h"
#include "testing/store/sqlite_on_disk.h"

namespace k9::repo {
namespace {

using store::AttributeValue;

class UserRepositoryTest : public ::testing::Test {
 protected:
  void put_user(AttributeValue::Map preferences) {
    store_->put({tables_.users,
                 {{"user_id", AttributeValue::S("u1")},
                  {"name", AttributeValue::S("Una")},
                  {"preferences", AttributeValue::M(std::move(preferences))},
                  {"created_at", AttributeValue::S("2025-01-02T03:04:05.678Z")},
                  {"updated_at", AttributeValue::S("2025-01-02T03:04:05.678Z")}},
                 ""});
  }
  // u1's preferences as the repository reads them.
  void expect_preferences(const std::string& title, bool auto_save, const std::string& format) {
    auto u = users_.find("u1");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->preferences.default_report_title, title);
    EXPECT_EQ(u->preferences.auto_save_favorites, auto_save);
    EXPECT_EQ(u->preferences.export_format, format);
  }
  AttributeValue::Map stored_preferences() {
    auto item = store_->get(tables_.users, {{"user_id", AttributeValue::S("u1")}});
    return item->at("preferences").m();
  }

  testkit::TempDir dir_{"user-repo"};
  Tables tables_ = testkit::default_tables();
  std::unique_ptr<store::Store> store_ = testkit::open_sqlite(dir_.path(), tables_);
  UserRepository users_{*store_, tables_.users};
};

TEST_F(UserRepositoryTest, ReadsTheGenerationsSpelling) {
  put_user({{"defaultReportTitle", AttributeValue::S("Kitchen")},
            {"autoSaveFavorites", AttributeValue::Bool(false)},
            {"exportFormat", AttributeValue::S("csv")}});
  expect_preferences("Kitchen", false, "csv");
}

TEST_F(UserRepositoryTest, ReadsK9sEarlierSpellingAndTheGenerationsWinsWhereBothAre) {
  put_user({{"default_report_title", AttributeValue::S("Old")},
            {"auto_save_favorites", AttributeValue::Bool(true)},
            {"exportFormat", AttributeValue::S("pdf")},
            {"export_format", AttributeValue::S("zip")}});
  expect_preferences("Old", true, "pdf");
}

TEST_F(UserRepositoryTest, WritesTheGenerationsSpellingAndKeepsUnknownKeys) {
  put_user({{"default_report_title", AttributeValue::S("Old")}, {"theme", AttributeValue::S("dark")}});
  ProfilePatch patch;
  patch.preferences = Preferences{};
  patch.preferences->export_format = "zip";
  User u = users_.update_profile("u1", patch);
  EXPECT_EQ(u.preferences.default_report_title, "Old");
  EXPECT_EQ(u.preferences.export_format, "zip");
  AttributeValue::Map want{{"defaultReportTitle", AttributeValue::S("Old")},
                           {"exportFormat", AttributeValue::S("zip")},
                           {"theme", AttributeValue::S("dark")}};
  EXPECT_EQ(AttributeValue::M(stored_preferences()), AttributeValue::M(want));
}

TEST_F(UserRepositoryTest, ANewUsersPreferencesAreAnEmptyMapUntilSet) {
  users_.get_or_create("u2", "Two", "two@example.com");
  auto item = store_->get(tables_.users, {{"user_id", AttributeValue::S("u2")}});
  ASSERT_TRUE(item);
  EXPECT_TRUE(item->at("preferences").m().empty());
  ProfilePatch patch;
  patch.preferences = Preferences{};
  patch.preferences->auto_save_favorites = true;
  users_.update_profile("u2", patch);
  auto after = store_->get(tables_.users, {{"user_id", AttributeValue::S("u2")}});
  EXPECT_EQ(after->at("preferences"), AttributeValue::M({{"autoSaveFavorites", AttributeValue::Bool(true)}}));
}

}  // namespace
}  // namespace k9::repo
