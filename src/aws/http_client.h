// A small HTTP/1.1 client on libcurl, shared by the AWS clients (DynamoDB, S3, Cognito,
// container credentials).
//
// Contract:
//  - send() never throws for transport problems: a request either gets an HttpResponse
//    (any status, 4xx and 5xx included) or an HttpError saying what went wrong
//    (connect failure, timeout, connection cut, TLS, bad URL). Only std::bad_alloc escapes.
//  - Easy handles are pooled and reused, so connections are kept alive between requests;
//    a client is safe to use from many threads at once.
//  - connect_timeout bounds the TCP/TLS connect; total_timeout bounds the whole exchange.
//  - Response header names are lower-cased; when a header repeats, the last value wins.
#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace k9::aws {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute, e.g. https://dynamodb.us-east-1.amazonaws.com/
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body of a 2xx answer goes here chunk by chunk instead of into
  // HttpResponse::body (large downloads straight to a file); false stops the transfer.
  // Other answers' bodies are kept in HttpResponse::body as usual.
  std::function<bool(std::string_view)> body_sink;
  // For senders that retry: called before each attempt (a sink starts its file again).
  std::function<void()> before_attempt;

  // Value of the first header named `name` (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  void set_header(std::string name, std::string value);  // replaces any header of that name
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  // Times the request went out during this exchange: libcurl resends a request once, on a
  // fresh connection, when a reused connection dies before any answer; the first copy may
  // have been acted upon.
  int sends = 1;

  const std::string* header(const std::string& lower_name) const;
};

enum class HttpErrorKind { connect, timeout, connection_lost, tls, bad_request, other };

struct HttpError {
  HttpErrorKind kind = HttpErrorKind::other;
  std::string message;  // curl's description, with the URL
  int sends = 0;        // times the request went out on a connection (0: never sent)
};

class HttpResult {
 public:
  HttpResult(HttpResponse r) : v_(std::move(r)) {}
  HttpResult(HttpError e) : v_(std::move(e)) {}
  bool ok() const { return std::holds_alternative<HttpResponse>(v_); }
  const HttpResponse& response() const { return std::get<HttpResponse>(v_); }
  HttpResponse& response() { return std::get<HttpResponse>(v_); }
  const HttpError& error() const { return std::get<HttpError>(v_); }

 private:
  std::variant<HttpResponse, HttpError> v_;
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{10000};
  size_t max_idle_handles = 64;
  // The CA certificates TLS peers are checked against (a PEM file); empty: system_ca_bundle().
  std::string ca_bundle;
};

// Where this machine keeps its CA certificates, for TLS: AWS_CA_BUNDLE (the AWS SDKs' and CLI's
// variable) or SSL_CERT_FILE (OpenSSL's) when set, else the first bundle that exists of the
// usual places: Debian and Ubuntu's /etc/ssl/certs/ca-certificates.crt, Amazon Linux's (Lambda's
// provided.al2023) and Fedora's /etc/pki/tls/certs/ca-bundle.crt, and those of openSUSE and
// Alpine. libcurl's own default is the build machine's path, which the Lambda package carries to
// a machine that keeps its bundle elsewhere. Empty when none exists (libcurl's default then).
std::string find_ca_bundle(const std::function<const char*(const char*)>& getenv,
                           const std::function<bool(const std::string&)>& exists);
// find_ca_bundle() on this process's environment and file system, worked out once.
const std::string& system_ca_bundle();

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResult send(const HttpRequest& request);

  const HttpClientOptions& options() const { return options_; }

 private:
  void* acquire();
  void release(void* handle);

  HttpClientOptions options_;
  std::mutex mu_;
  std::vector<void*> idle_;  // CURL* easy handles, each with its own live connections
};

}  // namespace k9::aws
