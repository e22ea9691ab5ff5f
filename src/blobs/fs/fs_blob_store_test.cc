// The filesystem adapter: the blob conformance suite on a temporary folder (presigned URLs
// answered by the same code as GET /files/{key}), and what is particular to files.
#include "blobs/fs/fs_blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "blobs/blob_store_conformance.h"
#include "blobs/file_route.h"
#include "testing/base/fake_clock.h"
#include "testing/base/temp_dir.h"

namespace k9::blobs::fs {
namespace {

namespace stdfs = std::filesystem;

const std::string kSecret(32, 's');
const std::string kBase = "http://127.0.0.1:3001/prod";

// The conformance suite's store, for the whole test binary; its folder goes when the binary ends.
std::shared_ptr<FsBlobStore> shared_store() {
  static testkit::TempDir dir("fs-blobs");
  static auto store = std::make_shared<FsBlobStore>(dir / "blobs", std::make_shared<FileUrlSigner>(kSecret, kBase));
  return store;
}

// GETs a K9 file URL the way the API route answers it: split the URL, percent-decode the key,
// decode the query, and ask answer_signed_file().
FetchResult fetch_file_url(const std::string& url) {
  std::string prefix = kBase + "/files/";
  if (url.rfind(prefix, 0) != 0) return {404, "not a K9 file url", ""};
  std::string rest = url.substr(prefix.size());
  auto q = rest.find('?');
  std::string raw_key = rest.substr(0, q), key;
  for (size_t i = 0; i < raw_key.size(); ++i) {
    if (raw_key[i] == '%' && i + 2 < raw_key.size()) {
      key += static_cast<char>(std::stoi(raw_key.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      key += raw_key[i];
    }
  }
  std::map<std::string, std::string> query;
  std::string qs = q == std::string::npos ? "" : rest.substr(q + 1);
  for (size_t i = 0; i < qs.size();) {
    size_t amp = qs.find('&', i);
    std::string pair = qs.substr(i, amp == std::string::npos ? std::string::npos : amp - i);
    auto eq = pair.find('=');
    query[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
    if (amp == std::string::npos) break;
    i = amp + 1;
  }
  FileUrlSigner signer(kSecret, kBase);
  auto a = answer_signed_file(*shared_store(), signer, key, query, std::chrono::system_clock::now());
  return {a.status, a.status == 200 ? a.bytes : a.message, a.content_type};
}

INSTANTIATE_TEST_SUITE_P(Fs, BlobStoreConformance,
                         testing::Values(BlobTarget{"fs", [] { return std::shared_ptr<BlobStore>(shared_store()); },
                                                    fetch_file_url}),
                         [](const auto&) { return std::string("fs"); });

class FsBlobStoreTest : public testing::Test {
 protected:
  testkit::TempDir dir_{"fs-blobs"};
  stdfs::path root_ = dir_ / "blobs";
  std::unique_ptr<FsBlobStore> store_ = std::make_unique<FsBlobStore>(root_, std::make_shared<FileUrlSigner>(kSecret, kBase));
};

TEST_F(FsBlobStoreTest, ObjectsAreFilesNamedByTheirKeyWithNothingElseLeftBehind) {
  store_->put("uploads/u1/a.png", "PNG", "image/png");
  EXPECT_TRUE(stdfs::is_regular_file(root_ / "uploads/u1/a.png"));
  std::vector<std::string> names;
  for (auto& e : stdfs::recursive_directory_iterator(root_)) names.push_back(e.path().lexically_relative(root_));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"uploads", "uploads/u1", "uploads/u1/a.png"})) << "no temporaries";
  store_->remove("uploads/u1/a.png");
  EXPECT_TRUE(stdfs::is_empty(root_)) << "emptied folders are pruned";
}

TEST_F(FsBlobStoreTest, TemporariesOfACrashAreNeverListedAndAreRemovedAtStart) {
  store_->put("m/x", "x");
  std::ofstream(root_ / "m" / ".k9tmp-0123456789abcdef") << "half written";
  EXPECT_EQ(store_->list("m/").items.size(), 1u);
  EXPECT_EQ(store_->remove_stale_temporaries(), 1u);
  EXPECT_FALSE(stdfs::exists(root_ / "m" / ".k9tmp-0123456789abcdef"));
  EXPECT_EQ(store_->get("m/x")->bytes, "x");
}

TEST_F(FsBlobStoreTest, AKeyCannotBeBothAnObjectAndAFolder) {
  store_->put("a", "object");
  EXPECT_THROW(store_->put("a/b", "under an object"), InvalidKey);
  store_->put("f/g", "x");
  EXPECT_THROW(store_->put("f", "over a folder"), InvalidKey);
  EXPECT_EQ(store_->get("a")->bytes, "object");
  EXPECT_FALSE(store_->get("f"));
}

TEST_F(FsBlobStoreTest, SymlinksPlantedInTheFolderAreNotFollowed) {
  auto outside = dir_ / "outside";
  std::ofstream(outside) << "outside secret";
  stdfs::create_directories(root_ / "s");
  stdfs::create_symlink(outside, root_ / "s" / "link");
  EXPECT_FALSE(store_->get("s/link"));
  EXPECT_FALSE(store_->head("s/link"));
  EXPECT_TRUE(store_->list("s/").items.empty());
}

TEST_F(FsBlobStoreTest, PresignedUrlsAreK9FileUrlsUnderTheBasePath) {
  std::string url = store_->presigned_get_url("reports/u/r1/i.jpg", std::chrono::seconds(3600));
  EXPECT_TRUE(url.starts_with(kBase + "/files/reports/u/r1/i.jpg?expires=")) << url;
  EXPECT_NE(url.find("&signature="), std::string::npos);
  testkit::FakeClock clock(1'800'000'000);
  FsBlobStore timed(root_, std::make_shared<FileUrlSigner>(kSecret, kBase), clock);
  EXPECT_NE(timed.presigned_get_url("a.jpg", std::chrono::seconds(60)).find("?expires=1800000060&"), std::string::npos)
      << "the expiry is counted from the store's clock";
}

TEST(FileUrlSigner, AcceptsItsOwnUrlsAndRefusesChangedOrExpiredOnes) {
  FileUrlSigner signer(std::string(32, 'k'), "http://h/");
  auto now = std::chrono::system_clock::from_time_t(1'800'000'000);
  std::string url = signer.url("a/b.png", now + std::chrono::seconds(60));
  EXPECT_EQ(url.rfind("http://h/files/a/b.png?expires=1800000060&signature=", 0), 0u) << url;
  std::string sig = url.substr(url.find("signature=") + 10);
  using V = FileUrlSigner::Verdict;
  EXPECT_EQ(signer.check("a/b.png", "1800000060", sig, now), V::ok);
  EXPECT_EQ(signer.check("a/b.png", "1800000060", sig, now + std::chrono::seconds(60)), V::ok);
  EXPECT_EQ(signer.check("a/b.png", "1800000060", sig, now + std::chrono::seconds(61)), V::expired);
  EXPECT_EQ(signer.check("a/c.png", "1800000060", sig, now), V::bad_signature);
  EXPECT_EQ(signer.check("a/b.png", "1800000061", sig, now), V::bad_signature);
  EXPECT_EQ(signer.check("a/b.png", "01800000060", sig, now), V::bad_signature);
  EXPECT_EQ(signer.check("a/b.png", "1800000060", sig.substr(1), now), V::bad_signature);
  EXPECT_EQ(signer.check("a/b.png", "", sig, now), V::bad_signature);
  EXPECT_EQ(signer.check("../b.png", "1800000060", sig, now), V::bad_signature);
  FileUrlSigner other(std::string(32, 'o'), "http://h");
  EXPECT_EQ(other.check("a/b.png", "1800000060", sig, now), V::bad_signature) << "another secret";
  EXPECT_THROW(FileUrlSigner(std::string(31, 'k'), "http://h"), std::invalid_argument);
}

}  // namespace
}  // namespace k9::blobs::fs
