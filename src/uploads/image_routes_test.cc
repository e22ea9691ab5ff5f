// Uploads, avatars and report images through the API (App), on a real SQLite store, real local
// tokens and each real blob store: the filesystem adapter and the S3 adapter on s3rver
// (started once for this binary). Every refused request is checked for its status, its
// message, and that neither the blob store nor the reports changed.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "api/app.h"
#include "blobs/fs/fs_blob_store.h"
#include "blobs/s3/s3rver.h"
#include "core/encoding.h"
#include "core/json.h"
#include "core/random.h"
#include "image_probe/test_images.h"
#include "testing/api_app.h"
#include "testing/base/fake_clock.h"
#include "testing/base/temp_dir.h"
#include "testing/local_accounts.h"
#include "testing/store/sqlite_on_disk.h"
#include "uploads/image_files.h"

namespace k9::uploads {
namespace {

namespace json = boost::json;
using namespace image::testing;
using api::Response;
using testkit::run_command;

testing::Environment* const s3rver_env = testing::AddGlobalTestEnvironment(new blobs::s3::S3rverEnvironment);

const std::string kBase = "http://k9.test";

class ImageRoutes : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = testkit::open_sqlite(dir_.path(), tables_);
    accounts_ = std::make_unique<testkit::LocalAccounts>(*store_, tables_, dir_.path());
    if (GetParam() == "fs") {
      signer_ = std::make_shared<blobs::FileUrlSigner>(std::string(32, 'f'), kBase);
      blobs_ = std::make_unique<blobs::fs::FsBlobStore>(dir_ / "blobs", signer_);
    } else {
      blobs_ = std::make_unique<blobs::s3::S3BlobStore>(
          blobs::s3::s3rver_options("routes-" + hex_encode(random_bytes(6)) + "/"), blobs::s3::s3rver_credentials());
    }
    images_ = std::make_unique<ImageFiles>(*blobs_, UploadLimits{}, clock_);
    auto& a = *accounts_;
    app_ = testkit::make_app(
        testkit::ApiServices{*store_, a.users, a.reports, a.issuer, nullptr, {}, false, images_.get(), signer_.get()});
    auto alice = a.add("alice", "correct-horse-1", "Alice");
    alice_sub_ = alice.sub;
    alice_ = alice.id_token;
    bob_ = a.add("bob", "correct-horse-2", "Bob").id_token;
  }
  void TearDown() override {
    app_.reset();
    store_.reset();
  }

  Response call(const std::string& method, const std::string& path, const std::string& body = "",
                const std::string& token = "", std::map<std::string, std::string> query = {}) {
    return testkit::call(*app_, method, path, body, token, std::move(query));
  }
  static json::object body(const Response& r) { return parse_json(r.body).as_object(); }
  static std::string str(const json::value& v) { return json::value_to<std::string>(v); }
  static std::string message(const Response& r) { return str(body(r).at("message")); }

  // GETs a browser URL: K9 file links through the App's /files route, S3 ones with curl.
  std::pair<int, std::string> fetch(const std::string& url) {
    if (url.rfind(kBase, 0) == 0) {
      std::string rest = url.substr(kBase.size());
      auto q = rest.find('?');
      std::map<std::string, std::string> query;
      std::string qs = rest.substr(q + 1);
      for (size_t i = 0; i <= qs.size();) {
        size_t amp = std::min(qs.find('&', i), qs.size());
        std::string pair = qs.substr(i, amp - i);
        auto eq = pair.find('=');
        query[pair.substr(0, eq)] = pair.substr(eq + 1);
        i = amp + 1;
      }
      auto r = call("GET", rest.substr(0, q), "", "", query);
      return {r.status, r.body};
    }
    auto file = dir_ / ("fetched-" + hex_encode(random_bytes(4)));
    auto [out, rc] = run_command("curl -s -o " + file.string() + " -w '%{http_code}' '" + url + "'");
    std::ifstream in(file, std::ios::binary);
    return {std::atoi(out.c_str()), std::string(std::istreambuf_iterator<char>(in), {})};
  }

  // Everything stored, to prove that refused requests changed nothing.
  std::vector<std::string> blob_keys() {
    std::vector<std::string> keys;
    for (auto& i : blobs_->list("").items) keys.push_back(i.key);
    return keys;
  }
  std::string reports_of(const std::string& token) { return call("GET", "/reports", "", token, {{"limit", "100"}}).body; }
  std::string profile_of(const std::string& token) {
    auto o = body(call("GET", "/user/profile", "", token));
    o.erase("avatarUrl");  // a fresh signature each time; the stored key is compared through blob_keys()
    return serialize(o);
  }

  std::string upload(const std::string& name, const std::string& bytes, const std::string& token) {
    auto r = call("PUT", "/uploads/" + name, bytes, token);
    EXPECT_EQ(r.status, 201) << r.body;
    return str(body(r).at("key"));
  }

  void expect_refused(const Response& r, int status, const std::string& words, const std::vector<std::string>& keys_before,
                      const std::string& reports_before) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_NE(message(r).find(words), std::string::npos) << message(r);
    EXPECT_EQ(blob_keys(), keys_before) << "nothing stored";
    EXPECT_EQ(reports_of(alice_), reports_before) << "no report changed";
  }

  testkit::TempDir dir_{"image-routes"};
  testkit::FakeClock clock_{0};
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  repo::Tables tables_ = testkit::default_tables();
  std::unique_ptr<testkit::LocalAccounts> accounts_;
  std::shared_ptr<blobs::FileUrlSigner> signer_;
  std::unique_ptr<blobs::BlobStore> blobs_;
  std::unique_ptr<ImageFiles> images_;
  std::unique_ptr<api::App> app_;
  std::string alice_, bob_, alice_sub_;
};

INSTANTIATE_TEST_SUITE_P(Blobs, ImageRoutes, testing::Values("fs", "s3rver"),
                         [](const auto& info) { return info.param; });

TEST_P(ImageRoutes, AnUploadBecomesAReportImageABrowserCanFetchAndGoesWithTheReport) {
  std::string photo = jpeg_bytes(1200, 900), mask = png_bytes(1200, 900);
  auto put = call("PUT", "/uploads/kitchen.jpg", photo, alice_);
  ASSERT_EQ(put.status, 201) << put.body;
  std::string key = str(body(put).at("key"));
  EXPECT_EQ(key.rfind("uploads/" + alice_sub_ + "/", 0), 0u) << key;
  EXPECT_EQ(fetch(str(body(put).at("url"))), std::make_pair(200, photo));

  std::string data_url = "data:image/png;base64," + base64_encode(mask);
  auto created = call("POST", "/reports",
                      R"({"title":"Kitchen","reference":{"model":"Oak","images":[{"url":")" + key + R"(","mask":")" +
                          data_url + R"("}]}})",
                      alice_);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = str(body(created).at("id"));

  auto got = body(call("GET", "/reports/" + id, "", alice_));
  auto image = got.at("reference").at("images").at(0).as_object();
  std::string url = str(image.at("url")), mask_url = str(image.at("mask"));
  EXPECT_TRUE(url.starts_with("http")) << url;
  EXPECT_EQ(fetch(url), std::make_pair(200, photo));
  EXPECT_EQ(fetch(mask_url), std::make_pair(200, mask));
  auto listed = body(call("GET", "/reports", "", alice_)).at("reports").at(0).as_object();
  EXPECT_EQ(fetch(str(listed.at("imageUrl"))).first, 200);

  auto report_files = blobs_->list("images/").items;
  EXPECT_EQ(report_files.size(), 2u) << "the upload was copied, the data: URL stored";
  ASSERT_EQ(call("DELETE", "/reports/" + id, "", alice_).status, 200);
  EXPECT_TRUE(blobs_->list("images/").items.empty()) << "a deleted report's files go with it";
  EXPECT_EQ(fetch(url).first, 404);
  EXPECT_TRUE(blobs_->head(key)) << "the upload itself stays until the sweep";
}

// POST /uploads (issue 15): on S3, a key and a presigned PUT; the bytes bypass K9 and are
// checked when a report claims the key: a photo becomes the report's image, anything else
// is refused as an upload through K9 would be, and another user cannot claim the key. On
// files on disk there is no such thing: 404 naming PUT /uploads/{name}.
TEST_P(ImageRoutes, DirectUploadsAreCheckedWhenAReportClaimsThem) {
  auto direct = [&](const std::string& name, const std::string& bytes) {
    auto r = call("POST", "/uploads", R"({"name":")" + name + R"("})", alice_);
    if (GetParam() == "fs") {
      EXPECT_EQ(r.status, 404) << r.body;
      EXPECT_NE(message(r).find("PUT /uploads/{name}"), std::string::npos) << r.body;
      return std::string();
    }
    EXPECT_EQ(r.status, 201) << r.body;
    auto b = body(r);
    std::string key = str(b.at("key"));
    EXPECT_EQ(key.rfind("uploads-direct/" + alice_sub_ + "/", 0), 0u) << key;
    EXPECT_EQ(b.at("expiresIn").as_int64(), 900);
    auto file = dir_ / ("direct-" + hex_encode(random_bytes(4)));
    std::ofstream(file, std::ios::binary) << bytes;
    auto [code, rc] = run_command("curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @" + file.string() + " '" +
                          str(b.at("uploadUrl")) + "'");
    EXPECT_EQ(code, "200") << "PUT to the presigned url";
    return key;
  };
  auto report_with = [&](const std::string& key, const std::string& token) {
    return call("POST", "/reports",
                R"({"title":"Direct","reference":{"model":"Oak","images":[{"url":")" + key + R"("}]}})", token);
  };
  std::string photo = jpeg_bytes(640, 480);
  std::string key = direct("big-photo.jpg", photo);
  EXPECT_EQ(call("POST", "/uploads", R"({"name":"../x.jpg"})", alice_).status, 400);
  EXPECT_EQ(call("POST", "/uploads", R"({"name":"a.jpg","size":3})", alice_).status, 400);
  EXPECT_EQ(call("POST", "/uploads", R"({"name":"a.jpg"})").status, 401);
  if (GetParam() == "fs") return;

  auto reports = reports_of(alice_);
  auto keys = blob_keys();
  auto stolen = report_with(key, bob_);
  EXPECT_EQ(stolen.status, 400) << stolen.body;  // another user's key is no upload of theirs
  std::string text = direct("notes.jpg", "just some text, not an image");
  keys = blob_keys();
  expect_refused(report_with(text, alice_), 415, "", keys, reports);
  std::string bomb = direct("bomb.png", png_bytes(30000, 30000, std::string(3000, '\0')));
  keys = blob_keys();
  expect_refused(report_with(bomb, alice_), 413, "", keys, reports);

  auto created = report_with(key, alice_);
  ASSERT_EQ(created.status, 201) << created.body;
  auto got = body(call("GET", "/reports/" + str(body(created).at("id")), "", alice_));
  EXPECT_EQ(fetch(str(got.at("reference").at("images").at(0).at("url"))), std::make_pair(200, photo));
}

TEST_P(ImageRoutes, HostileUploadsAreRefusedAndStoreNothing) {
  auto keys = blob_keys();
  auto reports = reports_of(alice_);
  std::string jpeg = jpeg_bytes(800, 600, 0xC0, 4000);
  expect_refused(call("PUT", "/uploads/photo.jpg", "I am a text file, not a photo.\n", alice_), 415,
                 "not a JPEG, PNG or WebP", keys, reports);
  expect_refused(call("PUT", "/uploads/cut.jpg", jpeg.substr(0, jpeg.size() / 2), alice_), 400,
                 "end-of-image marker", keys, reports);
  std::string bomb = png_bytes(30000, 30000, std::string(3000, '\0'));
  ASSERT_LT(bomb.size(), 8192u);
  expect_refused(call("PUT", "/uploads/bomb.png", bomb, alice_), 413, "30000x30000 pixels", keys, reports);
  expect_refused(call("PUT", "/uploads/empty.png", "", alice_), 400, "empty", keys, reports);
  for (std::string path : {"/uploads/../../etc/passwd", "/uploads/..", "/uploads/a/../b.jpg", "/uploads/.hidden.jpg",
                           "/uploads/sp ace.jpg"})
    expect_refused(call("PUT", path, jpeg, alice_), 400, "name must be", keys, reports);
  std::string big = jpeg_bytes(100, 100, 0xC0, 20 * 1024 * 1024);
  expect_refused(call("PUT", "/uploads/big.jpg", big, alice_), 413, "at most 20971520 bytes", keys, reports);
  expect_refused(call("PUT", "/uploads/x.jpg", jpeg), 401, "Authorization", keys, reports);
}

TEST_P(ImageRoutes, ReportsTakeOnlyTheCallersUploadsOrImageDataUrls) {
  std::string bobs = upload("bob.png", png_bytes(10, 10), bob_);
  std::string mine = upload("mine.png", png_bytes(10, 10), alice_);
  auto keys = blob_keys();
  auto reports = reports_of(alice_);
  auto post = [&](const std::string& images) {
    return call("POST", "/reports", R"({"title":"T","reference":{"model":"M","images":)" + images + "}}", alice_);
  };
  expect_refused(post(R"([{"url":")" + bobs + R"("}])"), 400, "reference.images[0].url must be the key of one of your",
                 keys, reports);
  expect_refused(post(R"([{"url":")" + mine + R"("},{"url":")" + mine + R"(","mask":"images/)" + alice_sub_ +
                      R"(/forged.png"}])"),
                 400, "reference.images[1].mask", keys, reports);
  expect_refused(post(R"([{"url":"avatars/someone/a.png"}])"), 400, "reference.images[0].url", keys, reports);
  std::string absent = "uploads/" + alice_sub_ + "/nothing.png";
  expect_refused(post(R"([{"url":")" + absent + R"("}])"), 400, "names no upload of yours", keys, reports);
  expect_refused(post(R"([{"url":"data:image/png;base64,)" + base64_encode("not a png") + R"("}])"), 415,
                 "reference.images[0].url is not a JPEG, PNG or WebP", keys, reports);
  expect_refused(post(R"([{"url":"data:image/png;base64,!!!"}])"), 400, "invalid base64", keys, reports);
  expect_refused(post(R"([{"url":"../../k9.db"}])"), 400, "must be the key of one of your", keys, reports);
  expect_refused(post(R"([{"url":"/etc/passwd"}])"), 400, "must be the key of one of your", keys, reports);
  std::string bomb = "data:image/png;base64," + base64_encode(png_bytes(30000, 30000));
  expect_refused(post(R"([{"url":")" + mine + R"("},{"url":")" + bomb + R"("}])"), 413, "reference.images[1].url is 30000x30000",
                 keys, reports);
}

TEST_P(ImageRoutes, OtherImageValuesAreKeptAsGivenAndNeverSigned) {
  auto keys = blob_keys();
  auto r = call("POST", "/reports",
                R"({"title":"T","reference":{"model":"M","images":[{"url":"https://cdn.example/oak.jpg","mask":"a.jpg"}]}})",
                alice_);
  ASSERT_EQ(r.status, 201) << r.body;
  auto image = body(call("GET", "/reports/" + str(body(r).at("id")), "", alice_)).at("reference").at("images").at(0);
  EXPECT_EQ(str(image.at("url")), "https://cdn.example/oak.jpg");
  EXPECT_EQ(str(image.at("mask")), "a.jpg");
  EXPECT_EQ(blob_keys(), keys) << "nothing fetched or stored";
}

TEST_P(ImageRoutes, AnAvatarReplacesThePreviousOneAndHostileOnesChangeNothing) {
  auto first = call("PUT", "/user/avatar", webp_lossy_bytes(64, 64), alice_);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(fetch(str(body(first).at("avatarUrl"))), std::make_pair(200, webp_lossy_bytes(64, 64)));
  auto second = call("PUT", "/user/avatar", png_bytes(32, 32), alice_);
  ASSERT_EQ(second.status, 200) << second.body;
  auto avatars = blobs_->list("avatars/").items;
  ASSERT_EQ(avatars.size(), 1u) << "the previous avatar was deleted";
  auto profile = body(call("GET", "/user/profile", "", alice_));
  EXPECT_EQ(fetch(str(profile.at("avatarUrl"))), std::make_pair(200, png_bytes(32, 32)));

  auto keys = blob_keys();
  auto before = profile_of(alice_);
  auto refused = call("PUT", "/user/avatar", "GIF89a not accepted", alice_);
  EXPECT_EQ(refused.status, 415);
  EXPECT_NE(message(refused).find("the avatar is not a JPEG, PNG or WebP"), std::string::npos) << refused.body;
  refused = call("PUT", "/user/avatar", png_bytes(30000, 30000), alice_);
  EXPECT_EQ(refused.status, 413);
  EXPECT_EQ(blob_keys(), keys);
  EXPECT_EQ(profile_of(alice_), before);
}

TEST_P(ImageRoutes, UploadsNoReportClaimedAreSweptAfterADay) {
  std::string key = upload("old.jpg", jpeg_bytes(5, 5), alice_);
  auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  clock_.set(now + 23 * 3600);
  EXPECT_EQ(images_->sweep_uploads(), 0u) << "kept for a day";
  std::string id = str(body(call("POST", "/reports", R"({"title":"T","reference":{"model":"M","images":[{"url":")" + key +
                                                       R"("}]}})", alice_)).at("id"));
  clock_.set(now + 25 * 3600);
  EXPECT_EQ(images_->sweep_uploads(), 1u);
  EXPECT_FALSE(blobs_->head(key));
  auto image = body(call("GET", "/reports/" + id, "", alice_)).at("reference").at("images").at(0);
  EXPECT_EQ(fetch(str(image.at("url"))).first, 200) << "the report kept its own copy";
}

TEST_P(ImageRoutes, FileLinksRefuseChangedAndMissingSignatures) {
  std::string key = upload("p.png", png_bytes(4, 4), alice_);
  std::string url = blobs_->presigned_get_url(key, std::chrono::seconds(3600));
  if (GetParam() != "fs") {  // S3 mode: links are S3's presigned URLs, and K9 has no /files route
    EXPECT_NE(url.find("X-Amz-Signature="), std::string::npos) << url;
    EXPECT_EQ(call("GET", "/files/" + key).status, 404);
    return;
  }
  std::string path = url.substr(kBase.size(), url.find('?') - kBase.size());
  std::string expires = url.substr(url.find("expires=") + 8, url.find('&') - url.find("expires=") - 8);
  std::string signature = url.substr(url.find("signature=") + 10);
  auto r = call("GET", path, "", "", {{"expires", expires}, {"signature", "x" + signature.substr(1)}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(message(r), "Invalid file signature");
  r = call("GET", path, "", "", {{"expires", std::to_string(std::stoll(expires) + 1)}, {"signature", signature}});
  EXPECT_EQ(r.status, 403);
  r = call("GET", path);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(message(r), "File links need expires and signature");
  r = call("GET", path, "", "", {{"expires", expires}, {"signature", signature}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "image/png");
}

}  // namespace
}  // namespace k9::uploads
