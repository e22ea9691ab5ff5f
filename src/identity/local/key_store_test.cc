#include "identity/local/key_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <fstream>

#include "core/encoding.h"
#include "core/error.h"
#include "testing/base/temp_dir.h"

namespace k9::identity::local {
namespace {

namespace fs = std::filesystem;
using testkit::TempDir;

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

std::vector<std::string> file_names(const fs::path& folder) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(folder)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(KeyStore, CreatesOnePrivateKeyOnFirstStart) {
  TempDir dir;
  KeyStore keys(dir.path());
  EXPECT_EQ(keys.folder(), dir.path() / "keys");
  EXPECT_EQ(mode_of(keys.folder()), 0700u);
  EXPECT_THAT(file_names(keys.folder()), ::testing::ElementsAre("key-0000000001.pem"));  // no temp files left
  EXPECT_EQ(mode_of(keys.folder() / "key-0000000001.pem"), 0600u);
  std::ifstream in(keys.folder() / "key-0000000001.pem");
  std::string first_line;
  std::getline(in, first_line);
  EXPECT_EQ(first_line, "-----BEGIN PRIVATE KEY-----");
  auto current = keys.current();
  ASSERT_TRUE(current);
  EXPECT_EQ(current->kid.size(), 16u);
  EXPECT_EQ(EVP_PKEY_get_bits(current->pkey.get()), 2048);
  EXPECT_TRUE(EVP_PKEY_is_a(current->pkey.get(), "RSA"));
}

TEST(KeyStore, ReloadsTheSameKeyOnRestart) {
  TempDir dir;
  std::string kid = KeyStore(dir.path()).current()->kid;
  KeyStore again(dir.path());
  EXPECT_EQ(again.current()->kid, kid);
  EXPECT_EQ(again.kids().size(), 1u);
}

TEST(KeyStore, KidIsDerivedFromThePublicKey) {
  TempDir dir;
  KeyStore keys(dir.path());
  auto key = keys.current();
  EXPECT_EQ(KeyStore::kid_of(key->pkey.get()), key->kid);
  EXPECT_EQ(base64url_decode(key->kid).has_value(), true);
  auto other = KeyStore::generate_rsa_key();
  EXPECT_NE(KeyStore::kid_of(other.get()), key->kid);
}

TEST(KeyStore, RotationKeepsTheLastThreeKeys) {
  TempDir dir;
  KeyStore keys(dir.path());
  std::string k1 = keys.current()->kid;
  keys.rotate();
  std::string k2 = keys.current()->kid;
  EXPECT_NE(k1, k2);
  EXPECT_TRUE(keys.find(k1));  // old keys keep verifying
  keys.rotate();
  std::string k3 = keys.current()->kid;
  EXPECT_THAT(keys.kids(), ::testing::ElementsAre(k3, k2, k1));
  keys.rotate();
  std::string k4 = keys.current()->kid;
  EXPECT_THAT(keys.kids(), ::testing::ElementsAre(k4, k3, k2));
  EXPECT_FALSE(keys.find(k1));
  EXPECT_THAT(file_names(keys.folder()),
              ::testing::ElementsAre("key-0000000002.pem", "key-0000000003.pem", "key-0000000004.pem"));
  for (const auto& name : file_names(keys.folder())) EXPECT_EQ(mode_of(keys.folder() / name), 0600u);

  KeyStore restarted(dir.path());
  EXPECT_THAT(restarted.kids(), ::testing::ElementsAre(k4, k3, k2));
  EXPECT_EQ(restarted.current()->kid, k4);
}

TEST(KeyStore, KeepIsConfigurable) {
  TempDir dir;
  KeyStore keys(dir.path(), 1);
  std::string k1 = keys.current()->kid;
  keys.rotate();
  EXPECT_FALSE(keys.find(k1));
  EXPECT_EQ(keys.kids().size(), 1u);
}

TEST(KeyStore, JwksListsEveryVerifyingKeyCurrentFirst) {
  TempDir dir;
  KeyStore keys(dir.path());
  keys.rotate();
  auto jwks = boost::json::parse(keys.jwks()).as_object();
  const auto& list = jwks.at("keys").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("kid").as_string(), keys.kids()[0]);
  EXPECT_EQ(list[1].at("kid").as_string(), keys.kids()[1]);
  for (const auto& k : list) {
    const auto& o = k.as_object();
    EXPECT_EQ(o.size(), 6u);  // kty, use, alg, kid, n, e: nothing private
    EXPECT_EQ(o.at("kty").as_string(), "RSA");
    EXPECT_EQ(o.at("use").as_string(), "sig");
    EXPECT_EQ(o.at("alg").as_string(), "RS256");
    EXPECT_EQ(o.at("e").as_string(), "AQAB");
    auto n = base64url_decode(std::string(o.at("n").as_string()));
    ASSERT_TRUE(n);
    EXPECT_EQ(n->size(), 256u);
    EXPECT_NE(static_cast<unsigned char>((*n)[0]), 0);  // no leading zero byte
  }
}

TEST(KeyStore, RefusesAKeyFileOthersCanRead) {
  TempDir dir;
  { KeyStore keys(dir.path()); }
  fs::permissions(dir.path() / "keys" / "key-0000000001.pem", fs::perms::group_read | fs::perms::others_read,
                  fs::perm_options::add);
  try {
    KeyStore keys(dir.path());
    FAIL() << "loaded a world-readable key";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::internal);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("chmod 600"));
  }
}

TEST(KeyStore, RefusesAKeyFileThatIsNotAKey) {
  TempDir dir;
  fs::create_directories(dir.path() / "keys");
  {
    std::ofstream out(dir.path() / "keys" / "key-0000000001.pem");
    out << "-----BEGIN PRIVATE KEY-----\nbm9wZQ==\n-----END PRIVATE KEY-----\n";
  }
  fs::permissions(dir.path() / "keys" / "key-0000000001.pem", fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  EXPECT_THROW(KeyStore keys(dir.path()), Error);
}

TEST(KeyStore, IgnoresUnrelatedFiles) {
  TempDir dir;
  fs::create_directories(dir.path() / "keys");
  { std::ofstream(dir.path() / "keys" / "README") << "hello"; }
  { std::ofstream(dir.path() / "keys" / "key-0000000009.pem.tmp-abcdef") << "partial"; }
  KeyStore keys(dir.path());
  EXPECT_EQ(keys.current()->sequence, 1u);
}

}  // namespace
}  // namespace k9::identity::local

namespace k9::identity::local {
namespace {

// A rotation made by another process (`k9 keys rotate`) reaches a serving KeyStore.
TEST(KeyStore, SyncWithFolderPicksUpAnotherProcesssRotation) {
  testkit::TempDir dir;
  KeyStore serving(dir.path());
  const std::string first = serving.current()->kid;
  EXPECT_FALSE(serving.sync_with_folder(std::chrono::milliseconds(0)));  // nothing changed
  KeyStore other(dir.path());
  other.rotate();
  EXPECT_EQ(serving.current()->kid, first);
  EXPECT_FALSE(serving.sync_with_folder(std::chrono::hours(1)));  // looked just now: not again yet
  EXPECT_TRUE(serving.sync_with_folder(std::chrono::milliseconds(0)));
  EXPECT_EQ(serving.current()->kid, other.current()->kid);
  EXPECT_EQ(serving.kids(), (std::vector<std::string>{other.current()->kid, first}));
  EXPECT_TRUE(serving.find(first));  // the previous key still verifies
}

}  // namespace
}  // namespace k9::identity::local
