// The S3 adapter on s3rver (started once for this binary): the blob conformance suite, a
// presigned URL fetched with plain curl, awscli's presigned URL accepted by the same path and
// signed exactly as K9 signs it, retries of 5xx, and prefixes.
#include "blobs/s3/s3_blob_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "aws/loopback_http_server.h"
#include "blobs/blob_store_conformance.h"
#include "blobs/s3/s3_xml.h"
#include "blobs/s3/s3rver.h"
#include "core/encoding.h"
#include "core/random.h"
#include "testing/base/fake_clock.h"
#include "testing/base/temp_dir.h"

namespace k9::blobs::s3 {
namespace {

namespace stdfs = std::filesystem;

testing::Environment* const s3rver_env = testing::AddGlobalTestEnvironment(new S3rverEnvironment);

std::shared_ptr<BlobStore> s3rver_store() {
  return std::make_shared<S3BlobStore>(s3rver_options(), s3rver_credentials());
}

using testkit::run_command;
using ::testing::HasSubstr;

// The message of the Unavailable a put into `store` throws ("" and a failure when none).
std::string unavailable_put(S3BlobStore& store) {
  try {
    store.put("k", "v");
  } catch (const Unavailable& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected Unavailable";
  return "";
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// A browser's GET: plain curl, no credentials. The body goes through a file (binary-safe).
FetchResult curl_get(const std::string& url) {
  testkit::TempDir dir("curl");
  auto file = dir / "body";
  auto [out, rc] = run_command("curl -s -o " + file.string() + " -w '%{http_code} %{content_type}' " + shell_quote(url));
  FetchResult r;
  std::istringstream in(out);
  in >> r.status >> r.content_type;
  std::ifstream body(file, std::ios::binary);
  r.body.assign(std::istreambuf_iterator<char>(body), {});
  return r;
}

INSTANTIATE_TEST_SUITE_P(S3rver, BlobStoreConformance,
                         testing::Values(BlobTarget{"s3rver", s3rver_store, curl_get, /*checks_signatures=*/false,
                                                    /*puts_are_atomic=*/false}),
                         [](const auto&) { return std::string("s3rver"); });

std::string query_param(const std::string& url, const std::string& name) {
  std::smatch m;
  if (std::regex_search(url, m, std::regex("[?&]" + name + "=([^&]*)"))) return m[1];
  return "";
}

TimePoint from_amz_date(const std::string& d) {  // 20150830T123600Z
  std::tm tm{};
  ::strptime(d.c_str(), "%Y%m%dT%H%M%SZ", &tm);
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

std::string aws_cli() { return stdfs::exists("/usr/bin/aws") ? "/usr/bin/aws" : "aws"; }  // Debian's awscli first

TEST(S3BlobStore, PresignedUrlByK9IsFetchedWithPlainCurl) {
  S3BlobStore store(s3rver_options(), s3rver_credentials());
  store.put("presign/curl.png", "png bytes", "image/png");
  std::string url = store.presigned_get_url("presign/curl.png", std::chrono::seconds(3600));
  EXPECT_NE(url.find("X-Amz-Signature="), std::string::npos) << url;
  EXPECT_NE(url.find("/" + std::string(S3rver::kBucket) + "/presign/curl.png?"), std::string::npos) << "path style";
  auto r = curl_get(url);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "png bytes");
  EXPECT_EQ(r.content_type, "image/png");
}

TEST(S3BlobStore, AwsCliPresignedUrlIsAcceptedAndSignedExactlyAsK9SignsIt) {
  S3BlobStore store(s3rver_options(), s3rver_credentials());
  store.put("presign/cli.jpg", "jpeg bytes", "image/jpeg");
  std::string env = "AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 "
                    "AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null ";
  auto [out, rc] = run_command(env + aws_cli() + " s3 presign s3://" + S3rver::kBucket + "/presign/cli.jpg --expires-in 900 " +
                       "--endpoint-url " + s3rver().endpoint() + " 2>&1");
  ASSERT_EQ(rc, 0) << "awscli missing or failing (scripts/install-deps.sh installs Debian's awscli): " << out;
  std::string cli_url = out.substr(0, out.find_last_not_of("\r\n") + 1);
  ASSERT_EQ(query_param(cli_url, "X-Amz-Algorithm"), "AWS4-HMAC-SHA256") << cli_url;

  auto r = curl_get(cli_url);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "jpeg bytes");

  // s3rver does not check signatures, so check K9's against awscli's: the same key, instant
  // and expiry must give the same URL signature.
  auto options = s3rver_options();
  auto at = from_amz_date(query_param(cli_url, "X-Amz-Date"));
  testkit::FakeClock clock(unix_seconds(at));
  options.clock = &clock;
  S3BlobStore same_instant(options, s3rver_credentials());
  std::string k9_url = same_instant.presigned_get_url("presign/cli.jpg", std::chrono::seconds(900));
  EXPECT_EQ(query_param(k9_url, "X-Amz-Credential"), query_param(cli_url, "X-Amz-Credential"));
  EXPECT_EQ(query_param(k9_url, "X-Amz-SignedHeaders"), query_param(cli_url, "X-Amz-SignedHeaders"));
  EXPECT_EQ(query_param(k9_url, "X-Amz-Signature"), query_param(cli_url, "X-Amz-Signature"))
      << "k9:  " << k9_url << "\ncli: " << cli_url;
  EXPECT_EQ(k9_url.substr(0, k9_url.find('?')), cli_url.substr(0, cli_url.find('?')));
}

TEST(S3BlobStore, PrefixesKeepStoresApartAndKeysRelative) {
  std::string tenant = "tenant-" + hex_encode(random_bytes(4)) + "/";
  S3BlobStore a(s3rver_options(tenant + "a/"), s3rver_credentials());
  S3BlobStore b(s3rver_options(tenant + "b/"), s3rver_credentials());
  a.put("x/1", "a1");
  b.put("x/1", "b1");
  EXPECT_EQ(a.get("x/1")->bytes, "a1");
  EXPECT_EQ(b.get("x/1")->bytes, "b1");
  auto page = a.list("x/");
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].key, "x/1");
  S3BlobStore whole(s3rver_options(), s3rver_credentials());
  EXPECT_EQ(whole.get(tenant + "b/x/1")->bytes, "b1");
}

TEST(S3BlobStore, ServerErrorsAreRetriedThenReportedAsUnavailable) {
  std::atomic<int> calls{0};
  aws::testing::LoopbackHttpServer flaky([&](const aws::testing::ServedRequest& req) {
    int n = ++calls;
    if (n <= 2) return aws::testing::ServedResponse{503, {}, "<Error><Code>SlowDown</Code></Error>"};
    return aws::testing::ServedResponse{200, {{"ETag", "\"e\""}}, ""};
  });
  S3Options o;
  o.bucket = "b";
  o.endpoint = "http://127.0.0.1:" + std::to_string(flaky.port());
  o.retry.base_delay = std::chrono::milliseconds(1);
  S3BlobStore store(o, s3rver_credentials());
  store.put("k", "v");
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(store.retries(), 2u);

  aws::testing::LoopbackHttpServer down([&](const aws::testing::ServedRequest&) {
    return aws::testing::ServedResponse{500, {}, "<Error><Code>InternalError</Code><Message>boom</Message></Error>"};
  });
  o.endpoint = "http://127.0.0.1:" + std::to_string(down.port());
  o.retry.max_attempts = 3;
  S3BlobStore broken(o, s3rver_credentials());
  std::string message = unavailable_put(broken);
  EXPECT_THAT(message, HasSubstr("InternalError: boom"));
  EXPECT_THAT(message, HasSubstr("after 3 attempts"));
}

TEST(S3BlobStore, ClientErrorsAreReportedAtOnceWithS3sMessage) {
  S3Options o = s3rver_options();
  o.bucket = "no-such-bucket-" + hex_encode(random_bytes(3));
  S3BlobStore store(o, s3rver_credentials());
  EXPECT_THAT(unavailable_put(store), HasSubstr("NoSuchBucket"));
  EXPECT_EQ(store.retries(), 0u);
}

TEST(S3Options, FromUrlReadsBucketPrefixRegionAndEndpoint) {
  std::map<std::string, std::string> env{{"AWS_REGION", "eu-west-1"}, {"AWS_ENDPOINT_URL_S3", "http://h:1/"},
                                         {"SIMILARITY_BUCKET", "sim-bucket"}};
  auto getenv = [&](const char* n) -> const char* {
    auto it = env.find(n);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  auto o = S3Options::from_url("s3://my-bucket/k9/prod", getenv);
  EXPECT_EQ(o.bucket, "my-bucket");
  EXPECT_EQ(o.prefix, "k9/prod/");
  EXPECT_EQ(o.region, "eu-west-1");
  EXPECT_EQ(o.endpoint, "http://h:1");
  EXPECT_TRUE(o.path_style());
  EXPECT_EQ(S3Options::from_url("s3://", getenv).bucket, "sim-bucket");
  EXPECT_THROW(S3Options::from_url("file:/x", getenv), std::invalid_argument);
  EXPECT_THROW(S3Options::from_url("s3://Bad_Bucket", getenv), std::invalid_argument);
  EXPECT_THROW(S3Options::from_url("s3://b/../x", getenv), InvalidKey);
}

TEST(S3Xml, ReadsElementsAndDecodesEntities) {
  std::string xml = "<R><KeyCount>2</KeyCount><Contents><Key>a&amp;b</Key></Contents>"
                    "<Contents><Key>c&#x3C;d&#62;</Key></Contents><Empty/><UploadId a=\"1\">u</UploadId></R>";
  EXPECT_EQ(xml_elements(xml, "Key"), (std::vector<std::string>{"a&b", "c<d>"}));
  EXPECT_EQ(xml_blocks(xml, "Contents").front(), "<Key>a&amp;b</Key>");
  EXPECT_EQ(xml_text(xml, "KeyCount"), "2");
  EXPECT_EQ(xml_text(xml, "Empty"), "");
  EXPECT_EQ(xml_text(xml, "UploadId"), "u");
  EXPECT_EQ(xml_text("<A><B>unclosed", "B"), "");
  EXPECT_EQ(xml_escape("<a&'\">"), "&lt;a&amp;&apos;&quot;&gt;");
}

}  // namespace
}  // namespace k9::blobs::s3
