#include "testing/base/peer_process.h"

#include <gtest/gtest.h>

#include "testing/base/temp_dir.h"

namespace k9::testkit {
namespace {

using namespace std::chrono_literals;

TEST(PeerProcess, StartsWhenReadyAndStops) {
  TempDir dir("peer");
  PeerProcess peer("sleeper");
  int asked = 0;
  peer.start({"sh", "-c", "echo up; exec sleep 30"}, dir / "log", 10s, [&](std::string&) {
    ++asked;
    return read_text(dir / "log").find("up") != std::string::npos;
  });
  EXPECT_TRUE(peer.running());
  EXPECT_GE(asked, 1);
  peer.stop();
  EXPECT_FALSE(peer.running());
  peer.stop();  // again: nothing
}

TEST(PeerProcess, APeerThatExitsFailsWithWhatItPrinted) {
  TempDir dir("peer");
  PeerProcess peer("quitter");
  try {
    peer.start({"sh", "-c", "echo no such jar >&2; exit 3"}, dir / "log", 10s, [](std::string&) { return false; });
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "quitter exited during start-up: no such jar\n");
  }
  EXPECT_FALSE(peer.running());
}

TEST(PeerProcess, APeerNeverReadyFailsAfterItsTimeAndIsStopped) {
  TempDir dir("peer");
  PeerProcess peer("mute");
  try {
    peer.start({"sleep", "30"}, dir / "log", 1s, [](std::string& why) {
      why = "connection refused";
      return false;
    });
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "mute did not answer within 1 s: connection refused\n");
  }
  EXPECT_FALSE(peer.running());
}

TEST(PeerProcess, FreePortsAreLoopbackPorts) {
  int port = free_loopback_port();
  EXPECT_GT(port, 0);
  EXPECT_LT(port, 65536);
  EXPECT_TRUE(command_succeeds("true"));
  EXPECT_FALSE(command_succeeds("false"));
  EXPECT_EQ(run_command("echo out; echo err >&2; exit 4"), (std::pair<std::string, int>{"out\n", 4}));
}

}  // namespace
}  // namespace k9::testkit
