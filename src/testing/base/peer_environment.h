// PeerEnvironment<Peer>: one peer for a whole test binary, as a GoogleTest environment. It is
// started before the first test; a failure to start fails every test of the binary (CI must
// have the peer: tests never skip), and it ends after the last test. Peer is
// default-constructible, its start() throws std::runtime_error saying what is missing (java,
// node, a package), its destructor stops it, and Peer::kName names it in messages.
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace k9::testkit {

template <class Peer>
class PeerEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    auto peer = std::make_unique<Peer>();
    try {
      peer->start();
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
    running_ = std::move(peer);
  }
  void TearDown() override { running_.reset(); }

  // The running peer; throws when it is not running (see the first failure of the test run).
  static Peer& running() {
    if (!running_)
      throw std::runtime_error(std::string(Peer::kName) + " is not running (see the first failure of this test run)");
    return *running_;
  }

 private:
  static inline std::unique_ptr<Peer> running_;
};

}  // namespace k9::testkit
