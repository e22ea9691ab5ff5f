#include "blobs/blob_store_conformance.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/encoding.h"
#include "core/random.h"
#include "testing/base/temp_dir.h"

namespace k9::blobs {

void BlobStoreConformance::SetUp() {
  store_ = GetParam().open();
  prefix_ = "conf-" + hex_encode(random_bytes(6)) + "/";
}

namespace {

std::string bytes_of(size_t n, unsigned seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (auto& c : s) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    c = static_cast<char>(x & 0xff);
  }
  return s;
}

std::vector<std::string> keys_of(const ListPage& page) {
  std::vector<std::string> out;
  for (auto& i : page.items) out.push_back(i.key);
  return out;
}

TEST_P(BlobStoreConformance, PutThenGetAnswersTheSameBytesAndType) {
  std::string bytes("\0\x01\xfe\xff binary \r\n", 14);
  store_->put(key("a.bin"), bytes, "image/png");
  auto got = store_->get(key("a.bin"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->bytes, bytes);
  EXPECT_EQ(got->info.key, key("a.bin"));
  EXPECT_EQ(got->info.size, bytes.size());
  EXPECT_EQ(got->info.content_type, "image/png");
}

TEST_P(BlobStoreConformance, EmptyObjectsAndDefaultTypeRoundTrip) {
  store_->put(key("empty"), "");
  auto got = store_->get(key("empty"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->bytes, "");
  EXPECT_EQ(got->info.size, 0u);
  EXPECT_EQ(got->info.content_type, kDefaultContentType);
}

TEST_P(BlobStoreConformance, PutReplacesTheWholeObject) {
  store_->put(key("r"), std::string(5000, 'x'), "text/plain");
  store_->put(key("r"), "short", "image/jpeg");
  auto got = store_->get(key("r"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->bytes, "short");
  EXPECT_EQ(got->info.content_type, "image/jpeg");
}

TEST_P(BlobStoreConformance, AbsentKeysAnswerNothing) {
  EXPECT_FALSE(store_->get(key("absent")));
  EXPECT_FALSE(store_->head(key("absent")));
  EXPECT_NO_THROW(store_->remove(key("absent")));
  EXPECT_TRUE(store_->list(key("absent")).items.empty());
}

TEST_P(BlobStoreConformance, HeadAnswersSizeTypeAndTimeWithoutTheBytes) {
  auto before = std::chrono::system_clock::now() - std::chrono::seconds(120);
  store_->put(key("h/x.jpg"), bytes_of(3000, 1), "image/jpeg");
  auto info = store_->head(key("h/x.jpg"));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->key, key("h/x.jpg"));
  EXPECT_EQ(info->size, 3000u);
  EXPECT_EQ(info->content_type, "image/jpeg");
  EXPECT_GT(info->last_modified, before);
  EXPECT_LT(info->last_modified, std::chrono::system_clock::now() + std::chrono::seconds(120));
}

TEST_P(BlobStoreConformance, RemoveDeletesAndIsIdempotent) {
  store_->put(key("d/1"), "one");
  store_->put(key("d/2"), "two");
  store_->remove(key("d/1"));
  store_->remove(key("d/1"));
  EXPECT_FALSE(store_->get(key("d/1")));
  EXPECT_EQ(store_->get(key("d/2"))->bytes, "two") << "only the named object goes";
  store_->remove(key("d/2"));
  EXPECT_TRUE(store_->list(key("d/")).items.empty());
  store_->put(key("d/3"), "three");  // the emptied folder can take objects again
  EXPECT_EQ(store_->get(key("d/3"))->bytes, "three");
}

TEST_P(BlobStoreConformance, CopyIsIndependentOfItsSource) {
  store_->put(key("src"), "original", "image/webp");
  store_->copy(key("src"), key("copies/dst"));
  store_->put(key("src"), "changed");
  auto copy = store_->get(key("copies/dst"));
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->bytes, "original");
  EXPECT_EQ(copy->info.content_type, "image/webp");
  store_->remove(key("src"));
  EXPECT_EQ(store_->get(key("copies/dst"))->bytes, "original");
  EXPECT_THROW(store_->copy(key("nothing"), key("copies/x")), NotFound);
  EXPECT_FALSE(store_->head(key("copies/x")));
}

TEST_P(BlobStoreConformance, ListAnswersKeysUnderAPrefixInByteOrderAndPages) {
  // (No key where a character below '/' follows a folder's name, such as "a-b" beside "a/1":
  // s3rver lists in folder-walk order, which differs from byte order only there.)
  for (auto name : {"a/1", "a/10", "a/2", "a_b", "ab", "b/1", "a/sub/deep"}) store_->put(key(name), name);
  EXPECT_EQ(keys_of(store_->list(key("a/"))),
            (std::vector<std::string>{key("a/1"), key("a/10"), key("a/2"), key("a/sub/deep")}));
  EXPECT_EQ(keys_of(store_->list(key("a"))), (std::vector<std::string>{key("a/1"), key("a/10"), key("a/2"),
                                                                          key("a/sub/deep"), key("a_b"), key("ab")}));
  auto all = store_->list(prefix_);
  EXPECT_EQ(all.items.size(), 7u);
  EXPECT_EQ(all.next, "");
  for (auto& i : all.items) EXPECT_EQ(i.size, i.key.size() - prefix_.size()) << i.key;

  std::vector<std::string> paged;
  std::string next;
  int pages = 0;
  do {
    auto page = store_->list(prefix_, next, 3);
    EXPECT_LE(page.items.size(), 3u);
    for (auto& i : page.items) paged.push_back(i.key);
    next = page.next;
    ++pages;
  } while (!next.empty() && pages < 10);
  EXPECT_EQ(paged, keys_of(all));
  EXPECT_EQ(pages, 3);
}

TEST_P(BlobStoreConformance, KeysThatCouldEscapeAreRefusedBeforeAnythingIsTouched) {
  std::vector<std::string> bads{"../escape", "a/../../b", "/absolute", "a//b", ".hidden", "a/.k9tmp-1", "a/", "",
                                "a\\b", "sp ace", "a/./b", std::string("nul\0x", 5), "%2e%2e/x", std::string(1025, 'k')};
  for (const std::string& bad : bads) {
    EXPECT_THROW(store_->put(bad, "x"), InvalidKey) << bad;
    EXPECT_THROW(store_->get(bad), InvalidKey) << bad;
    EXPECT_THROW(store_->head(bad), InvalidKey) << bad;
    EXPECT_THROW(store_->remove(bad), InvalidKey) << bad;
    EXPECT_THROW(store_->copy(bad, key("ok")), InvalidKey) << bad;
    EXPECT_THROW(store_->presigned_get_url(bad, std::chrono::seconds(60)), InvalidKey) << bad;
  }
  EXPECT_THROW(store_->list("../"), InvalidKey);
  EXPECT_FALSE(store_->head(key("ok")));
}

TEST_P(BlobStoreConformance, PutFileStreamsALargeFile) {
  testkit::TempDir dir("blob-conformance");
  auto path = dir / "big.npz";
  std::string bytes = bytes_of(11 * 1024 * 1024 + 17, 7);  // above the S3 adapter's multipart threshold in tests
  {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  store_->put_file(key("big.npz"), path, "application/octet-stream");
  auto got = store_->get(key("big.npz"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->bytes.size(), bytes.size());
  EXPECT_TRUE(got->bytes == bytes);
  store_->put(key("big2"), bytes, "image/png");  // and from memory
  EXPECT_TRUE(store_->get(key("big2"))->bytes == bytes);
}

TEST_P(BlobStoreConformance, ReadersSeeOneWholeVersionWhileWritersReplace) {
  if (!GetParam().puts_are_atomic) GTEST_SKIP() << GetParam().name << " writes objects in place (a peer limitation)";
  std::vector<std::string> versions;
  for (unsigned i = 0; i < 4; ++i) versions.push_back(bytes_of(20000 + 7000 * i, i + 1));
  store_->put(key("contended"), versions[0]);
  std::atomic<bool> done{false};
  std::atomic<int> torn{0}, reads{0};
  std::string seen;
  std::thread reader([&] {
    while (!done) {
      try {
        auto b = store_->get(key("contended"));
        ++reads;
        if (!b || std::find(versions.begin(), versions.end(), b->bytes) == versions.end()) {
          ++torn;
          seen = b ? "torn " + std::to_string(b->bytes.size()) + " bytes" : "absent";
        }
      } catch (const std::exception& e) {
        ++torn;
        seen = e.what();
      }
    }
  });
  std::vector<std::thread> writers;
  for (unsigned w = 0; w < 3; ++w)
    writers.emplace_back([&, w] {
      for (int i = 0; i < 10; ++i) store_->put(key("contended"), versions[(w + i) % versions.size()]);
    });
  for (auto& t : writers) t.join();
  done = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads; last: " << seen;
}

TEST_P(BlobStoreConformance, PresignedUrlServesTheBytesWithoutCredentials) {
  std::string bytes = bytes_of(4096, 3);
  store_->put(key("img/photo.png"), bytes, "image/png");
  std::string url = store_->presigned_get_url(key("img/photo.png"), std::chrono::seconds(300));
  EXPECT_TRUE(url.starts_with("http://") || url.starts_with("https://")) << url;
  auto r = GetParam().fetch(url);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.body == bytes);
  EXPECT_EQ(r.content_type, "image/png");
}

TEST_P(BlobStoreConformance, PresignedUrlStopsWorkingWhenItExpiresOrIsChanged) {
  store_->put(key("exp"), "secret bytes");
  std::string url = store_->presigned_get_url(key("exp"), std::chrono::seconds(1));
  std::string other = store_->presigned_get_url(key("exp"), std::chrono::seconds(300));
  store_->put(key("exp2"), "other bytes");
  if (GetParam().checks_signatures) {  // the same signature on another key is refused
    std::string moved = other;
    moved.replace(moved.find(key("exp")), key("exp").size(), key("exp2"));
    auto m = GetParam().fetch(moved);
    EXPECT_EQ(m.status, 403) << m.body;
    EXPECT_EQ(m.body.find("other bytes"), std::string::npos);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto r = GetParam().fetch(url);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.body.find("secret bytes"), std::string::npos);
  EXPECT_EQ(GetParam().fetch(other).status, 200);
}

}  // namespace
}  // namespace k9::blobs
