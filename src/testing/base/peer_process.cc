#include "testing/base/peer_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace k9::testkit {

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

std::pair<std::string, int> run_command(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return {"", -1};
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = ::pclose(p);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

bool command_succeeds(const std::string& command) { return run_command(command + " >/dev/null 2>&1").second == 0; }

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string path_from_env(const char* variable, const char* built_in) {
  const char* env = std::getenv(variable);
  return env && *env ? env : built_in;
}

void LoopbackPeer::require_installed(const std::filesystem::path& file, const std::string& check,
                                     const std::string& program, const std::string& package) const {
  if (!std::filesystem::exists(file))
    throw std::runtime_error(name_ + " is not installed: no " + file.string() +
                             " (run scripts/install-deps.sh: it installs tests/peers with npm ci)");
  if (!command_succeeds(check))
    throw std::runtime_error(program + " is not installed (scripts/install-deps.sh installs " + package + ")");
}

void PeerProcess::start(const std::vector<std::string>& argv, const std::filesystem::path& log,
                        std::chrono::seconds timeout, const std::function<bool(std::string& why)>& ready) {
  if (pid_ > 0) return;
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::string log_path = log.string();
  pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the tests
    if (::getppid() != parent) ::_exit(1);
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string why;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error(name_ + " exited during start-up: " + read_text(log));
    }
    if (ready(why)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string printed = read_text(log);
  stop();
  throw std::runtime_error(name_ + " did not answer within " + std::to_string(timeout.count()) + " s: " +
                           (why.empty() ? "" : why + "\n") + printed);
}

void PeerProcess::stop() {
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

}  // namespace k9::testkit
