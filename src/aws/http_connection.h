// One HTTP/1.1 connection of the AWS module's HttpClient (http_client.h), plain or TLS, on
// Boost.Beast and Asio, driven synchronously by the calling thread with deadlines.
//
// Contract:
//  - open() resolves the host (with the system resolver, whose own timeouts bound it), connects
//    and, for https, shakes hands with SNI, checking the certificate against the context's CA
//    bundle and the host name (ssl::host_name_verification), all by `deadline`.
//  - exchange() sends one request and reads its whole answer by `deadline`. Answer bodies
//    are framed by Content-Length, chunked encoding or the end of the connection; a 2xx body
//    goes to the request's body_sink when it has one, any other to HttpResponse::body.
//  - A failure is returned, never thrown (only std::bad_alloc escapes); after one the
//    connection is not reusable. Failure::sent and ::answered say how far the exchange got.
//  - reusable() is true after an answer that keeps the connection alive while the peer has
//    not closed it or sent anything since (checked without blocking).
//  - A connection is used by one thread at a time; its Asio context is its own.
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "aws/http_client.h"
#include "aws/url_parts.h"

namespace boost::asio::ssl {
class context;
}

namespace k9::aws {

using Deadline = std::chrono::steady_clock::time_point;

// Where connections go; those to one origin are interchangeable.
struct Origin {
  bool tls = false;
  std::string host;  // an IPv6 literal without brackets
  std::string port;

  // Of an http:// or https:// URL (default ports 80 and 443); nullopt for another scheme.
  static std::optional<Origin> of(const UrlParts& url);
  std::string key() const { return (tls ? "https://" : "http://") + host + ":" + port; }
};

struct Failure {
  HttpErrorKind kind = HttpErrorKind::other;
  std::string message;
  bool sent = false;      // the request started going out
  bool answered = false;  // a byte of the answer came back
};

class HttpConnection {
 public:
  // `tls`: the context for an https origin (tls_context.h), else null.
  static std::unique_ptr<HttpConnection> open(const Origin& origin, std::shared_ptr<boost::asio::ssl::context> tls,
                                              Deadline deadline, Failure& failure);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // `target`: path?query; `authority`: the Host header when the request has none.
  std::optional<Failure> exchange(const HttpRequest& request, const std::string& target, const std::string& authority,
                                  HttpResponse& response, Deadline deadline);
  bool reusable() const;
  const std::string& origin_key() const { return origin_key_; }

 private:
  struct Io;
  explicit HttpConnection(std::unique_ptr<Io> io, std::string origin_key);

  std::unique_ptr<Io> io_;
  std::string origin_key_;
  bool keep_alive_ = false;
};

}  // namespace k9::aws
