// A small HTTP/1.1 client on Boost.Beast, Asio and OpenSSL, shared by the AWS clients (DynamoDB,
// S3, Cognito, Lambda, container credentials) and the Lambda runtime's Runtime API client.
//
// Contract:
//  - send() never throws for transport problems: a request either gets an HttpResponse
//    (any status, 4xx and 5xx included) or an HttpError saying what went wrong
//    (connect failure, timeout, connection cut, TLS, bad URL). Only std::bad_alloc escapes.
//  - http:// and https:// URLs; no proxy, no redirects followed, bodies as sent (no
//    Accept-Encoding). TLS peers are verified against the CA bundle (tls_context.h) and must
//    name the URL's host (or address) in their certificate; SNI carries the host name.
//  - Connections are kept alive and reused per origin (scheme, host, port): up to
//    max_idle_connections wait between requests, the oldest dropped first. A client is safe to
//    use from many threads at once; each request has a connection of its own meanwhile.
//  - An idle connection the server closed is noticed before reuse and replaced (not a send).
//    When a reused connection dies after the request went out but before any byte of an
//    answer came back, the request is sent once more on a new connection, by itself:
//    HttpResponse::sends (or HttpError::sends) is then 2, and the first copy may have been
//    acted upon. Its body sink has seen nothing of the first copy.
//  - connect_timeout bounds the TCP connect and TLS handshake; total_timeout bounds the
//    whole exchange. Host names are resolved by the system resolver, within its own timeouts.
//  - Response header names are lower-cased; when a header repeats, the last value wins.
#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "aws/tls_context.h"

namespace k9::aws {

class HttpConnection;

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute, e.g. https://dynamodb.us-east-1.amazonaws.com/
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body of a 2xx answer goes here chunk by chunk instead of into
  // HttpResponse::body (large downloads straight to a file); false stops the transfer.
  // Other answers' bodies are kept in HttpResponse::body as usual.
  std::function<bool(std::string_view)> body_sink;
  // For senders that retry (S3): they call it before each attempt of theirs (a sink starts its
  // file again). HttpClient never calls it: its own resend comes before any body byte.
  std::function<void()> before_attempt;

  // Bounds this exchange instead of the client's total_timeout (a long poll) when set.
  std::optional<std::chrono::milliseconds> total_timeout;
  // Value of the first header named `name` (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  void set_header(std::string name, std::string value);  // replaces any header of that name
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  // Times the request went out during this exchange: 2 when a reused connection died before
  // any answer and the request was resent on a new one (the first copy may have been acted upon).
  int sends = 1;

  const std::string* header(const std::string& lower_name) const;
};

enum class HttpErrorKind { connect, timeout, connection_lost, tls, bad_request, other };

struct HttpError {
  HttpErrorKind kind = HttpErrorKind::other;
  std::string message;  // what went wrong, with the method and URL
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
  size_t max_idle_connections = 64;  // kept alive between requests, all origins together
  // The CA certificates TLS peers are checked against (a PEM file); empty: system_ca_bundle().
  std::string ca_bundle;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResult send(const HttpRequest& request);

  const HttpClientOptions& options() const { return options_; }

 private:
  std::unique_ptr<HttpConnection> take_idle(const std::string& origin_key);
  void keep(std::unique_ptr<HttpConnection> connection);

  HttpClientOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<HttpConnection>> idle_;  // oldest first
};

}  // namespace k9::aws
