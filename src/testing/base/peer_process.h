// PeerProcess: a server a test binary starts beside itself (DynamoDB Local, s3rver): one child
// process on a free loopback port, its output in a log file, dead with the tests (it gets
// SIGKILL when the test process ends, however that happens). The launchers
// (store/dynamodb/dynamodb_local_launcher.cc, blobs/s3/s3rver_launcher.cc) say what to run and
// when it is ready; this says how. tests/k9test.py's Peer is its twin for the system tests.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "testing/base/temp_dir.h"

namespace k9::testkit {

// A loopback TCP port that was free a moment ago.
int free_loopback_port();
// Runs a shell command line; answers its standard output and exit status (-1 when it could
// not run or did not exit).
std::pair<std::string, int> run_command(const std::string& command);
// Whether `command` runs and exits 0, its output discarded.
bool command_succeeds(const std::string& command);
// The text of a file, empty when it cannot be read.
std::string read_text(const std::filesystem::path& path);
// $`variable` when it is set and not empty, else `built_in` (the path CMake found).
std::string path_from_env(const char* variable, const char* built_in);

class PeerProcess {
 public:
  explicit PeerProcess(std::string name) : name_(std::move(name)) {}
  ~PeerProcess() { stop(); }
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;

  // Runs `argv` (argv[0] looked up on PATH) with standard output and error into `log`, then
  // asks `ready` every 100 ms until it answers true. Throws std::runtime_error naming the peer,
  // with what it printed, when it exits first or is not ready within `timeout` (then it is
  // stopped). `ready` may put why it is not ready yet into its argument, for that message.
  void start(const std::vector<std::string>& argv, const std::filesystem::path& log, std::chrono::seconds timeout,
             const std::function<bool(std::string& why)>& ready);
  // SIGTERM, then SIGKILL after 5 s. Nothing when it is not running.
  void stop();
  bool running() const { return pid_ > 0; }

 private:
  std::string name_;
  pid_t pid_ = -1;
};

// What a launcher's peer class starts from: its process, the loopback port it listens on and a
// folder for its state and log, all gone when it stops.
class LoopbackPeer {
 public:
  LoopbackPeer(const LoopbackPeer&) = delete;
  LoopbackPeer& operator=(const LoopbackPeer&) = delete;
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  // Ends the process and removes its folder.
  void stop() {
    process_.stop();
    dir_.reset();
  }

 protected:
  explicit LoopbackPeer(std::string name) : name_(name), process_(std::move(name)) {}
  std::string name_;
  ~LoopbackPeer() { stop(); }
  // Throws std::runtime_error saying what to install when `file` (from tests/peers, installed
  // with npm) is missing or `check` (e.g. "java -version") fails: `program`, Debian's `package`.
  void require_installed(const std::filesystem::path& file, const std::string& check, const std::string& program,
                         const std::string& package) const;
  // Before process_.start(): a free port and a fresh folder.
  void prepare(std::string_view label) {
    port_ = free_loopback_port();
    dir_ = std::make_unique<TempDir>(label);
  }
  PeerProcess process_;
  int port_ = 0;
  std::unique_ptr<TempDir> dir_;
};

}  // namespace k9::testkit
