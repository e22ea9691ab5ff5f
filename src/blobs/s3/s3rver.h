// Test support (s3rver_launcher.cc, in the k9_blobs_s3_suite object library linked only into
// tests): s3rver, a small S3 look-alike from npm (tests/peers, installed by scripts/install-deps.sh), run as
//   node --openssl-legacy-provider <tests/peers/node_modules/s3rver/bin/s3rver.js> -d <temp dir> -a 127.0.0.1 -p P -s
//        --configure-bucket k9-test
// on a free loopback port.
//
// Contract:
//  - start() returns once the server answers, or throws std::runtime_error saying what is
//    missing (node, the package) or what the server printed. Tests must fail then, never
//    skip: CI installs both.
//  - $K9_S3RVER_BIN overrides the script CMake found.
//  - stop() (and the destructor) end the process and remove its folder; it also dies with
//    the test process.
//  - S3rverEnvironment (testing/base/peer_environment.h) starts one server for a whole test
//    binary; s3rver() answers it.
//  - s3rver accepts the access key S3RVER (secret S3RVER) and checks presigned URLs' expiry,
//    not their signatures; it serves objects to anonymous GETs too; it lists keys in the
//    order of a depth-first walk of its folders (the conformance suite uses keys whose walk
//    order is their byte order).
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "blobs/s3/s3_blob_store.h"
#include "testing/base/peer_environment.h"
#include "testing/base/peer_process.h"

namespace k9::blobs::s3 {

class S3rver : public testkit::LoopbackPeer {
 public:
  static constexpr const char* kName = "s3rver";
  static constexpr const char* kBucket = "k9-test";
  S3rver() : LoopbackPeer(kName) {}

  void start();
  static std::string script();
};

std::shared_ptr<aws::CredentialsProvider> s3rver_credentials();
// Options for the running server's bucket, under `prefix`; multipart from 5 MiB up.
S3Options s3rver_options(const std::string& prefix = "");

using S3rverEnvironment = testkit::PeerEnvironment<S3rver>;
// The running server of S3rverEnvironment; throws if it is not running.
inline S3rver& s3rver() { return S3rverEnvironment::running(); }

}  // namespace k9::blobs::s3
