// Upload throughput: what PUT /uploads/{name} costs below HTTP (ImageFiles::upload: sniff,
// header probe, key, atomic durable write, presigned link) for 1 MiB and 20 MiB images, to
// disk and to s3rver, each beside a peer measured in the same run:
//   disk:    write + fsync + rename + fsync of the folder of the same bytes (no K9 code)
//   s3rver:  one unsigned HTTP PUT of the same bytes with the same HTTP client (aws/http_client.h)
// Usage: k9_bench_upload_throughput [ROUNDS_SCALE=1]   (s3rver from tests/peers, as the tests)
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>

#include "aws/http_client.h"
#include "blobs/fs/fs_blob_store.h"
#include "blobs/s3/s3rver.h"
#include "image_probe/test_images.h"
#include "uploads/image_files.h"

using namespace k9;
namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

namespace {

double seconds_for(int rounds, const std::function<void(int)>& once) {
  once(-1);  // warm-up
  auto t0 = Steady::now();
  for (int i = 0; i < rounds; ++i) once(i);
  return std::chrono::duration<double>(Steady::now() - t0).count();
}

void raw_disk_write(const fs::path& dir, const std::string& bytes, int i) {
  fs::path tmp = dir / ".tmp", target = dir / ("raw-" + std::to_string(i));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  for (size_t done = 0; done < bytes.size();) done += ::write(fd, bytes.data() + done, bytes.size() - done);
  ::fsync(fd);
  ::close(fd);
  ::rename(tmp.c_str(), target.c_str());
  int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  ::fsync(d);
  ::close(d);
}

void report(const char* target, size_t mib, int rounds, double k9_s, double peer_s) {
  double k9_rate = mib * rounds / k9_s, peer_rate = mib * rounds / peer_s;
  std::printf("| %-7s | %2zu MiB | %3d | %8.1f MiB/s | %7.1f ms | %8.1f MiB/s | %5.2f |\n", target, mib, rounds, k9_rate,
              1000 * k9_s / rounds, peer_rate, k9_rate / peer_rate);
}

}  // namespace

int main(int argc, char** argv) {
  int scale = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1;
  fs::path dir = fs::temp_directory_path() / ("k9-bench-uploads-" + std::to_string(::getpid()));
  fs::create_directories(dir / "raw");
  blobs::s3::S3rver s3rver_process;
  s3rver_process.start();

  auto signer = std::make_shared<blobs::FileUrlSigner>(std::string(32, 'b'), "http://127.0.0.1:3001");
  blobs::fs::FsBlobStore disk(dir / "blobs", signer);
  blobs::s3::S3Options o;
  o.bucket = blobs::s3::S3rver::kBucket;
  o.endpoint = s3rver_process.endpoint();
  blobs::s3::S3BlobStore s3(o, blobs::s3::s3rver_credentials());
  aws::HttpClient raw_http({std::chrono::milliseconds(3000), std::chrono::milliseconds(120000), 4});

  std::printf("| target  | image  | n   | K9 upload     | per upload | peer          | ratio |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (size_t mib : {1, 20}) {
    std::string image = image::testing::jpeg_bytes(4000, 3000, 0xC0, mib * 1024 * 1024 - 64);
    int rounds = (mib == 1 ? 40 : 6) * scale;
    uploads::ImageFiles to_disk(disk);
    double k9_disk = seconds_for(rounds, [&](int) { to_disk.upload("bench-user", "photo.jpg", image); });
    double peer_disk = seconds_for(rounds, [&](int i) { raw_disk_write(dir / "raw", image, i); });
    report("disk", mib, rounds, k9_disk, peer_disk);
    uploads::ImageFiles to_s3(s3);
    double k9_s3 = seconds_for(rounds, [&](int) { to_s3.upload("bench-user", "photo.jpg", image); });
    double peer_s3 = seconds_for(rounds, [&](int i) {
      raw_http.send({"PUT", o.endpoint + "/" + o.bucket + "/raw/" + std::to_string(i), {}, image});
    });
    report("s3rver", mib, rounds, k9_s3, peer_s3);
  }
  s3rver_process.stop();
  fs::remove_all(dir);
  return 0;
}
