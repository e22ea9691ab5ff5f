// AWS credentials and where they come from.
//
// Contract of a CredentialsProvider:
//  - get() returns usable credentials or throws CredentialsError saying why none were found
//    (a provider that has nothing to offer, e.g. no environment variables, says so too, so
//    a chain can move on to the next one).
//  - Providers are safe to call from many threads.
//  - Credentials with an expiration are refreshed by the caching provider before they
//    expire (see credentials_chain.h); the individual providers fetch afresh on every get().
#pragma once
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace k9::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: long-term credentials
  std::optional<std::chrono::system_clock::time_point> expiration;
};

class CredentialsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual Credentials get() = 0;
  virtual std::string name() const = 0;  // for error messages: "environment", "profile default", ...
};

// The environment lookup every provider reads through (std::getenv in production).
using Getenv = std::function<const char*(const char*)>;
Getenv process_environment();

// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, optional AWS_SESSION_TOKEN.
class EnvironmentCredentials : public CredentialsProvider {
 public:
  explicit EnvironmentCredentials(Getenv getenv = process_environment()) : getenv_(std::move(getenv)) {}
  Credentials get() override;
  std::string name() const override { return "environment"; }

 private:
  Getenv getenv_;
};

// Credentials fixed at construction (tests, and DynamoDB Local's any-key-will-do).
class StaticCredentials : public CredentialsProvider {
 public:
  explicit StaticCredentials(Credentials c) : c_(std::move(c)) {}
  Credentials get() override { return c_; }
  std::string name() const override { return "static"; }

 private:
  Credentials c_;
};

}  // namespace k9::aws
