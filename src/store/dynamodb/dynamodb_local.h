// Test support (in the k9_store_dynamodb_suite object library, linked only into tests):
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
//  - DynamoDbLocalEnvironment starts one server for a whole test binary; dynamodb_local()
//    gives its endpoint and a store on it to the tests.
#pragma once
#include <gtest/gtest.h>
#include <sys/types.h>

#include <memory>
#include <string>

#include "store/dynamodb/dynamodb_store.h"

namespace k9::store::dynamodb {

class DynamoDbLocal {
 public:
  DynamoDbLocal() = default;
  ~DynamoDbLocal() { stop(); }
  DynamoDbLocal(const DynamoDbLocal&) = delete;
  DynamoDbLocal& operator=(const DynamoDbLocal&) = delete;

  void start();
  void stop();
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  static std::string emulator_dir();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

// Credentials DynamoDB Local accepts (it checks only their shape; the access key names the
// database, so every client of one test run uses the same).
std::shared_ptr<aws::CredentialsProvider> dynamodb_local_credentials();

class DynamoDbLocalEnvironment : public testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
};

struct DynamoDbLocalHandle {
  std::string endpoint;
  std::shared_ptr<DynamoDbStore> store;  // one shared store (thread-safe)
};

// The running server of DynamoDbLocalEnvironment; throws if it is not running.
DynamoDbLocalHandle dynamodb_local();

}  // namespace k9::store::dynamodb
