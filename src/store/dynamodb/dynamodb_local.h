// Test support (dynamodb_local_launcher.cc, in the k9_store_dynamodb_suite object library linked
// only into tests):
// DynamoDB Local, AWS's own local DynamoDB, run from the npm package
// amplify-dynamodb-simulator (tests/peers, installed by scripts/install-deps.sh) as
//   java -Djava.library.path=<emulator>/DynamoDBLocal_lib -jar <emulator>/DynamoDBLocal.jar -inMemory -port P
// on a free loopback port.
//
// Contract:
//  - start() returns once the server answers ListTables, or throws std::runtime_error saying
//    what is missing (java, the package) or what the server printed. Tests must fail then,
//    never skip: CI installs both.
//  - The emulator folder is $K9_DYNAMODB_LOCAL_DIR when set, else the one CMake found.
//  - stop() (and the destructor) end the process; it also dies with the test process.
//  - DynamoDbLocalEnvironment (testing/base/peer_environment.h) starts one server for a whole
//    test binary; dynamodb_local() gives its endpoint and a store on it to the tests.
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/dynamodb/dynamodb_store.h"
#include "testing/base/peer_environment.h"
#include "testing/base/peer_process.h"

namespace k9::store::dynamodb {

class DynamoDbLocal : public testkit::LoopbackPeer {
 public:
  static constexpr const char* kName = "DynamoDB Local";
  DynamoDbLocal() : LoopbackPeer(kName) {}

  void start();
  static std::string emulator_dir();
};

// Credentials DynamoDB Local accepts (it checks only their shape; the access key names the
// database, so every client of one test run uses the same).
std::shared_ptr<aws::CredentialsProvider> dynamodb_local_credentials();

struct DynamoDbLocalHandle {
  std::string endpoint;
  std::shared_ptr<DynamoDbStore> store;  // one shared store (thread-safe)
};

// DynamoDB Local and a store on it, for a whole test binary.
struct DynamoDbLocalPeer {
  static constexpr const char* kName = DynamoDbLocal::kName;
  DynamoDbLocal server;
  DynamoDbLocalHandle handle;
  void start();
};
using DynamoDbLocalEnvironment = testkit::PeerEnvironment<DynamoDbLocalPeer>;

// The running server of DynamoDbLocalEnvironment; throws if it is not running.
inline DynamoDbLocalHandle dynamodb_local() { return DynamoDbLocalEnvironment::running().handle; }

}  // namespace k9::store::dynamodb
