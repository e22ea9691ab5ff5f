#include "blobs/s3/s3rver.h"

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "aws/http_client.h"

namespace k9::blobs::s3 {

namespace fs = std::filesystem;

std::string S3rver::script() { return testkit::path_from_env("K9_S3RVER_BIN", K9_S3RVER_BIN); }

std::shared_ptr<aws::CredentialsProvider> s3rver_credentials() {
  return std::make_shared<aws::StaticCredentials>(aws::Credentials{"S3RVER", "S3RVER", "", std::nullopt});
}

S3Options s3rver_options(const std::string& prefix) {
  S3Options o;
  o.bucket = S3rver::kBucket;
  o.prefix = prefix;
  o.endpoint = s3rver().endpoint();
  o.part_size = 5 * 1024 * 1024;
  o.multipart_threshold = 5 * 1024 * 1024;
  return o;
}

void S3rver::start() {
  if (process_.running()) return;
  std::string bin = script();
  require_installed(bin, "node --version", "node", "nodejs");
  prepare("s3rver");
  fs::create_directories(*dir_ / "data");
  aws::HttpClient probe({std::chrono::milliseconds(300), std::chrono::milliseconds(1000), 1});
  // s3rver's continuation tokens use a cipher that Node 17+ hides behind the legacy provider.
  process_.start({"node", "--openssl-legacy-provider", bin, "-d", (*dir_ / "data").string(), "-a", "127.0.0.1", "-p",
                  std::to_string(port_), "-s", "--configure-bucket", kBucket},
                 *dir_ / "s3rver.log", std::chrono::seconds(30), [&](std::string&) {
                   auto r = probe.send({"GET", endpoint() + "/", {}, ""});
                   return r.ok() && r.response().status == 200;
                 });
}

}  // namespace k9::blobs::s3
