#include "aws/credentials.h"

#include <cstdlib>

namespace k9::aws {

Getenv process_environment() {
  return [](const char* name) { return std::getenv(name); };
}

Credentials EnvironmentCredentials::get() {
  auto var = [&](const char* n) -> std::string {
    const char* v = getenv_(n);
    return v ? std::string(v) : std::string();
  };
  Credentials c{var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY"), var("AWS_SESSION_TOKEN"), std::nullopt};
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    throw CredentialsError("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set");
  return c;
}

}  // namespace k9::aws
