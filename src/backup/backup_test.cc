// Backups and restores of an embedded data folder (issue 17): a round trip keeps every item
// and file; a store written to while the backup runs restores with every write acknowledged
// before it began; damaged archives, a store in use and an occupied folder are refused with the
// file named and the target unchanged. tests/test_backup.py does the same with `k9 serve`.
#include "backup/backup.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "core/error.h"
#include "testing/base/temp_dir.h"
#include "testing/store/sqlite_on_disk.h"

namespace k9::backup {
namespace {

namespace fs = std::filesystem;
using store::AttributeValue;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.message();
  }
  return "(no error)";
}

class BackupTest : public ::testing::Test {
 protected:
  void put_user(store::Store& s, const std::string& id) {
    s.put({tables_.users, {{"user_id", AttributeValue::S(id)}, {"name", AttributeValue::S("n-" + id)}}, ""});
  }
  std::optional<store::Item> user(store::Store& s, const std::string& id) {
    return s.get(tables_.users, {{"user_id", AttributeValue::S(id)}});
  }
  // A data folder as k9 serve leaves it: store, blobs, keys, secrets.
  void make_data() {
    auto s = testkit::open_sqlite(data_, tables_);
    for (int i = 0; i < 50; ++i) put_user(*s, "u" + std::to_string(i));
    write(data_ / "blobs" / "images" / "u1" / "a.jpg", std::string(5000, '\xff'));
    write(data_ / "keys" / "key-1.pem", "-----BEGIN PRIVATE KEY-----\n...");
    fs::permissions(data_ / "keys" / "key-1.pem", fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace);
    write(data_ / "cursor.key", std::string(32, 'c'));
  }

  testkit::TempDir dir_{"backup"};
  fs::path data_ = dir_ / "data";
  fs::path archive_ = dir_ / "out" / "k9.backup";
  repo::Tables tables_ = testkit::default_tables();
};

TEST_F(BackupTest, RoundTripKeepsEveryItemAndFile) {
  make_data();
  auto made = write_backup(data_, data_ / "blobs", archive_);
  EXPECT_EQ(made.files, 4u);  // k9.db, the photo, the key, the cursor secret
  EXPECT_EQ(read(fs::path(archive_.string() + ".sha256")).substr(0, 64), made.sha256);
  EXPECT_FALSE(fs::exists(archive_.string() + ".partial"));
  auto checked = verify_backup(archive_);
  EXPECT_EQ(checked.sha256, made.sha256);
  EXPECT_EQ(checked.files, made.files);

  fs::path restored = dir_ / "restored";
  auto r = restore_backup(archive_, restored, false);
  EXPECT_FALSE(r.previous);
  EXPECT_EQ(read(restored / "blobs" / "images" / "u1" / "a.jpg"), std::string(5000, '\xff'));
  EXPECT_EQ(read(restored / "cursor.key"), std::string(32, 'c'));
  // Modes come back as they were (K9 refuses a signing key others can read), and the archive,
  // which holds the keys, is its owner's only.
  auto owner_only = fs::perms::owner_read | fs::perms::owner_write;
  EXPECT_EQ(fs::status(restored / "keys" / "key-1.pem").permissions(), owner_only);
  EXPECT_EQ(fs::status(archive_).permissions(), owner_only);
  auto s = testkit::open_sqlite(restored, tables_);
  for (int i = 0; i < 50; ++i) {
    auto u = user(*s, "u" + std::to_string(i));
    ASSERT_TRUE(u) << i;
    EXPECT_EQ(u->at("name").s(), "n-u" + std::to_string(i));
  }
  EXPECT_FALSE(user(*s, "u50"));
}

TEST_F(BackupTest, AStoreWrittenToMeanwhileKeepsEveryWriteAcknowledgedBefore) {
  make_data();
  auto s = testkit::open_sqlite(data_, tables_);  // the "server": open, writing throughout
  std::atomic<int> acknowledged{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      put_user(*s, "w" + std::to_string(i));
      acknowledged = i + 1;
    }
  });
  while (acknowledged < 100) std::this_thread::yield();
  int before = acknowledged;
  write_backup(data_, data_ / "blobs", archive_);
  stop = true;
  writer.join();
  ASSERT_GT(acknowledged.load(), before);  // writes went on while the backup ran

  auto r = restore_backup(archive_, dir_ / "restored", false);
  auto restored = testkit::open_sqlite(dir_ / "restored", tables_);
  for (int i = 0; i < before; ++i) ASSERT_TRUE(user(*restored, "w" + std::to_string(i))) << i;
}

TEST_F(BackupTest, AFileAppendedWhileTheBackupRunsIsArchivedAsOneStateOfIt) {
  make_data();
  // A log in the data folder (as k9 serve's output often is) written to throughout.
  std::atomic<bool> stop{false};
  std::thread logger([&] {
    std::ofstream log(data_ / "server.log", std::ios::app);
    // Bounded (40 MB at most): an archiver that follows a growing file must not fill the disk.
    for (int n = 0; !stop && n < 200000; ++n) log << std::string(200, 'l') << std::endl;
  });
  for (int i = 0; i < 5; ++i) {
    write_backup(data_, data_ / "blobs", archive_);
    fs::remove(archive_.string() + ".sha256");  // each entry's own hash is the check
    EXPECT_NO_THROW(verify_backup(archive_)) << "round " << i;
  }
  stop = true;
  logger.join();
}

TEST_F(BackupTest, DamagedArchivesAreRefusedNamingTheFileAndTheTargetIsUntouched) {
  make_data();
  write_backup(data_, data_ / "blobs", archive_);
  std::string good = read(archive_);
  fs::path restored = dir_ / "restored";

  // One byte flipped in the middle, the checksum file kept: the checksum says so.
  std::string bad = good;
  bad[bad.size() / 2] ^= 0x55;
  write(archive_, bad);
  EXPECT_NE(error_of([&] { verify_backup(archive_); }).find("is not the one in"), std::string::npos);
  // Without the checksum file, the entry's own check names it.
  fs::remove(archive_.string() + ".sha256");
  std::string msg = error_of([&] { restore_backup(archive_, restored, false); });
  EXPECT_NE(msg.find(archive_.string()), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(restored));
  // Truncated.
  write(archive_, good.substr(0, good.size() / 3));
  msg = error_of([&] { restore_backup(archive_, restored, false); });
  EXPECT_NE(msg.find("not a readable backup archive"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(restored));
  // Not a backup at all.
  write(archive_, "hello");
  EXPECT_NE(error_of([&] { verify_backup(archive_); }).find(archive_.string()), std::string::npos);
  // No leftovers beside the target.
  for (auto& f : fs::directory_iterator(dir_.path()))
    EXPECT_EQ(f.path().filename().string().find(".restoring-"), std::string::npos) << f.path();
}

TEST_F(BackupTest, AStoreInUseIsNeverReplacedAndAnOccupiedFolderOnlyWhenAsked) {
  make_data();
  write_backup(data_, data_ / "blobs", archive_);
  fs::path other = dir_ / "other";
  {
    auto open = testkit::open_sqlite(other, tables_);
    put_user(*open, "mine");
    std::string msg = error_of([&] { restore_backup(archive_, other, true); });
    EXPECT_NE(msg.find("open in another process"), std::string::npos) << msg;
    EXPECT_TRUE(user(*open, "mine"));
  }
  std::string msg = error_of([&] { restore_backup(archive_, other, false); });
  EXPECT_NE(msg.find("holds a store already"), std::string::npos) << msg;
  {
    auto s = testkit::open_sqlite(other, tables_);
    EXPECT_TRUE(user(*s, "mine"));
    EXPECT_FALSE(user(*s, "u1"));
  }
  auto r = restore_backup(archive_, other, true);
  ASSERT_TRUE(r.previous);
  auto kept = testkit::open_sqlite(*r.previous, tables_);  // the replaced store, whole, beside it
  EXPECT_TRUE(user(*kept, "mine"));
  auto s = testkit::open_sqlite(other, tables_);
  EXPECT_TRUE(user(*s, "u1"));
  EXPECT_FALSE(user(*s, "mine"));
}

TEST_F(BackupTest, AFolderWithoutAStoreIsNotBackedUp) {
  fs::create_directories(data_);
  EXPECT_NE(error_of([&] { write_backup(data_, data_ / "blobs", archive_); }).find("no store at"), std::string::npos);
  EXPECT_FALSE(fs::exists(archive_));
}

}  // namespace
}  // namespace k9::backup
