#include "blobs/s3/s3rver.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "aws/http_client.h"

namespace k9::blobs::s3 {

namespace fs = std::filesystem;

namespace {

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a loopback port");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

S3rver* running = nullptr;

}  // namespace

std::string S3rver::script() {
  const char* env = std::getenv("K9_S3RVER_BIN");
  if (env && *env) return env;
  return K9_S3RVER_BIN;
}

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
  if (pid_ > 0) return;
  std::string bin = script();
  if (!fs::exists(bin))
    throw std::runtime_error("s3rver is not installed: no " + bin +
                             " (run scripts/install-deps.sh: it installs tests/peers with npm ci)");
  if (std::system("node --version >/dev/null 2>&1") != 0)
    throw std::runtime_error("node is not installed (scripts/install-deps.sh installs nodejs)");
  port_ = free_loopback_port();
  dir_ = (fs::temp_directory_path() / ("k9-s3rver-" + std::to_string(::getpid()) + "-" + std::to_string(port_))).string();
  fs::remove_all(dir_);
  fs::create_directories(dir_ + "/data");
  std::string log = dir_ + "/s3rver.log", data = dir_ + "/data", port = std::to_string(port_);
  pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the tests
    if (::getppid() != parent) ::_exit(1);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    // s3rver's continuation tokens use a cipher that Node 17+ hides behind the legacy provider.
    ::execlp("node", "node", "--openssl-legacy-provider", bin.c_str(), "-d", data.c_str(), "-a", "127.0.0.1", "-p", port.c_str(), "-s",
             "--configure-bucket", kBucket, static_cast<char*>(nullptr));
    ::_exit(127);
  }
  aws::HttpClient probe({std::chrono::milliseconds(300), std::chrono::milliseconds(1000), 1});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("s3rver exited during start-up: " + read_text(log));
    }
    auto r = probe.send({"GET", endpoint() + "/", {}, ""});
    if (r.ok() && r.response().status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string printed = read_text(log);
  stop();
  throw std::runtime_error("s3rver did not answer within 30 s: " + printed);
}

void S3rver::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    bool gone = false;
    for (int i = 0; i < 50 && !gone; ++i) {
      gone = ::waitpid(pid_, nullptr, WNOHANG) == pid_;
      if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!gone) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
}

void S3rverEnvironment::SetUp() {
  running = new S3rver;
  try {
    running->start();
  } catch (const std::exception& e) {
    delete running;
    running = nullptr;
    FAIL() << e.what();  // fails every test of the binary: CI must have the peer
  }
}

void S3rverEnvironment::TearDown() {
  delete running;
  running = nullptr;
}

S3rver& s3rver() {
  if (!running) throw std::runtime_error("s3rver is not running (see the first failure of this test run)");
  return *running;
}

}  // namespace k9::blobs::s3
