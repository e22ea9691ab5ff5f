#include "store/dynamodb/dynamodb_local.h"

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "aws/dynamodb_client.h"

namespace k9::store::dynamodb {

namespace fs = std::filesystem;

std::string DynamoDbLocal::emulator_dir() { return testkit::path_from_env("K9_DYNAMODB_LOCAL_DIR", K9_DYNAMODB_LOCAL_DIR); }

std::shared_ptr<aws::CredentialsProvider> dynamodb_local_credentials() {
  return std::make_shared<aws::StaticCredentials>(aws::Credentials{"k9local", "k9localsecret", "", std::nullopt});
}

void DynamoDbLocal::start() {
  if (process_.running()) return;
  fs::path dir = emulator_dir();
  require_installed(dir / "DynamoDBLocal.jar", "java -version", "java", "default-jre-headless");
  prepare("dynamodb-local");
  aws::DynamoDbOptions o;
  o.endpoint = endpoint();
  o.retry.max_attempts = 1;
  o.http.connect_timeout = std::chrono::milliseconds(500);
  o.http.total_timeout = std::chrono::milliseconds(2000);
  aws::DynamoDbClient probe(o, dynamodb_local_credentials());
  process_.start({"java", "-Xmx512m", "-Djava.library.path=" + (dir / "DynamoDBLocal_lib").string(), "-jar",
                  (dir / "DynamoDBLocal.jar").string(), "-inMemory", "-port", std::to_string(port_)},
                 *dir_ / "dynamodb-local.log", std::chrono::seconds(60), [&](std::string& why) {
                   try {
                     probe.call("ListTables", {{"Limit", 1}});
                     return true;
                   } catch (const aws::DynamoDbError& e) {
                     why = e.what();
                     return false;
                   }
                 });
}

void DynamoDbLocalPeer::start() {
  server.start();
  aws::DynamoDbOptions o;
  o.endpoint = server.endpoint();
  o.region = "us-east-1";
  auto client = std::make_shared<aws::DynamoDbClient>(o, dynamodb_local_credentials());
  DynamoDbStoreOptions so;
  so.poll_interval = std::chrono::milliseconds(50);
  handle = {server.endpoint(), std::make_shared<DynamoDbStore>(client, so)};
}

}  // namespace k9::store::dynamodb
