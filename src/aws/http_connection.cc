#include "aws/http_connection.h"

#include <openssl/ssl.h>
#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <charconv>
#include <vector>

namespace k9::aws {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using boost::system::error_code;

std::optional<Origin> Origin::of(const UrlParts& url) {
  if (url.scheme != "http" && url.scheme != "https") return std::nullopt;
  Origin o;
  o.tls = url.scheme == "https";
  o.host = url.host;
  o.port = url.port.empty() ? (o.tls ? "443" : "80") : url.port;
  return o;
}

struct HttpConnection::Io {
  asio::io_context context{1};  // driven by the one thread using the connection
  tcp::socket socket{context};
  std::shared_ptr<ssl::context> tls_context;
  std::optional<ssl::stream<tcp::socket&>> tls;
  boost::beast::flat_buffer buffer;  // read ahead of the parser
  std::vector<char> chunk = std::vector<char>(64 * 1024);

  // Runs the context until `done`; at the deadline a timer closes the socket, so that what is
  // under way completes (aborted). False when the deadline came first. No wake-ups meanwhile:
  // a long poll of hours sleeps in one epoll_wait.
  bool run(const bool& done, Deadline deadline) {
    bool expired = false;
    asio::steady_timer timer(context, deadline);
    timer.async_wait([&](error_code ec) {
      if (ec) return;  // cancelled: the operation finished first
      expired = true;
      error_code ignored;
      socket.close(ignored);
    });
    context.restart();
    while (!done && context.run_one() > 0) {
    }
    timer.cancel();
    context.run();  // the timer's handler runs before `expired` goes out of scope
    return !expired;
  }

  // Starts an asynchronous operation with a completion handler and waits for it.
  template <class Start>
  error_code await(Deadline deadline, bool& timed_out, Start&& start) {
    error_code result;
    bool done = false;
    start([&](error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    timed_out = !run(done, deadline);
    return result;
  }

  template <class F>
  auto with_stream(F&& f) {
    return tls ? f(*tls) : f(socket);
  }
};

HttpConnection::HttpConnection(std::unique_ptr<Io> io, std::string origin_key)
    : io_(std::move(io)), origin_key_(std::move(origin_key)) {}

HttpConnection::~HttpConnection() = default;

std::unique_ptr<HttpConnection> HttpConnection::open(const Origin& origin, std::shared_ptr<ssl::context> tls,
                                                     Deadline deadline, Failure& failure) {
  const std::string where = origin.host + ":" + origin.port;
  uint16_t port = 0;
  auto [end, bad] = std::from_chars(origin.port.data(), origin.port.data() + origin.port.size(), port);
  if (bad != std::errc() || end != origin.port.data() + origin.port.size() || origin.host.empty()) {
    failure = {HttpErrorKind::bad_request, "not a host and port: " + where};
    return nullptr;
  }
  auto io = std::make_unique<Io>();
  error_code ec;
  std::vector<tcp::endpoint> endpoints;
  const asio::ip::address address = asio::ip::make_address(origin.host, ec);
  const bool literal = !ec;
  if (literal) {
    endpoints.emplace_back(address, port);
  } else {
    tcp::resolver resolver(io->context);
    auto results = resolver.resolve(origin.host, origin.port, tcp::resolver::numeric_service, ec);
    if (ec) {
      failure = {HttpErrorKind::connect, "cannot resolve " + origin.host + ": " + ec.message()};
      return nullptr;
    }
    for (const auto& r : results) endpoints.push_back(r.endpoint());
  }
  // A step of connecting (TCP, TLS): false, with `failure` said, when it timed out or failed.
  auto step = [&](const std::string& what, HttpErrorKind kind, auto start) {
    bool timed_out = false;
    error_code step_ec = io->await(deadline, timed_out, start);
    if (timed_out)
      failure = {HttpErrorKind::timeout, what + " timed out"};
    else if (step_ec)
      failure = {kind, what + " failed: " + step_ec.message()};
    return !timed_out && !step_ec;
  };
  if (!step("connecting to " + where, HttpErrorKind::connect,
            [&](auto handler) { asio::async_connect(io->socket, endpoints, handler); }))
    return nullptr;
  io->socket.set_option(tcp::no_delay(true), ec);
  io->socket.set_option(asio::socket_base::keep_alive(true), ec);
  if (tls) {
    io->tls_context = std::move(tls);
    io->tls.emplace(io->socket, *io->tls_context);
    // SNI names a host, never an address; the certificate must name the host (or address).
    if (!literal) SSL_set_tlsext_host_name(io->tls->native_handle(), origin.host.c_str());
    io->tls->set_verify_mode(ssl::verify_peer);
    io->tls->set_verify_callback(ssl::host_name_verification(origin.host));
    if (!step("TLS handshake with " + where, HttpErrorKind::tls,
              [&](auto handler) { io->tls->async_handshake(ssl::stream_base::client, handler); }))
      return nullptr;
  }
  return std::unique_ptr<HttpConnection>(new HttpConnection(std::move(io), origin.key()));
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A read that failed: the connection went away (cut, reset, truncated TLS) or the answer was
// not HTTP.
Failure read_failure(const error_code& ec, bool answered) {
  bool malformed = ec.category() == http::make_error_code(http::error::bad_version).category() &&
                   ec != http::error::end_of_stream && ec != http::error::partial_message;
  if (malformed) return {HttpErrorKind::other, "malformed answer: " + ec.message(), true, answered};
  return {HttpErrorKind::connection_lost,
          answered ? "connection lost while reading the answer: " + ec.message()
                   : "connection closed before any answer: " + ec.message(),
          true, answered};
}

}  // namespace

std::optional<Failure> HttpConnection::exchange(const HttpRequest& request, const std::string& target,
                                                const std::string& authority, HttpResponse& response,
                                                Deadline deadline) {
  keep_alive_ = false;
  http::request<http::span_body<const char>> req;
  req.version(11);
  req.method_string(request.method);
  req.target(target);
  for (const auto& [name, value] : request.headers) req.insert(name, value);
  if (!request.header("host")) req.set(http::field::host, authority);
  bool has_body = !request.body.empty() || request.method == "POST" || request.method == "PUT";
  if (has_body && !request.header("content-length")) req.content_length(request.body.size());
  req.body() = {request.body.data(), request.body.size()};

  Io& io = *io_;
  bool timed_out = false;
  error_code ec = io.await(deadline, timed_out, [&](auto handler) {
    io.with_stream([&](auto& stream) { http::async_write(stream, req, handler); });
  });
  if (timed_out) return Failure{HttpErrorKind::timeout, "timed out sending the request", true, false};
  if (ec) return Failure{HttpErrorKind::connection_lost, "connection lost sending the request: " + ec.message(), true};

  // The head; an interim 1xx answer (100 Continue) is skipped.
  std::optional<http::response_parser<http::buffer_body>> parser;
  for (;;) {
    parser.emplace();
    parser->body_limit(boost::none);  // bodies may be large; they stream to a sink or a string
    parser->header_limit(64 * 1024);
    if (request.method == "HEAD") parser->skip(true);
    ec = io.await(deadline, timed_out, [&](auto handler) {
      io.with_stream([&](auto& stream) { http::async_read_header(stream, io.buffer, *parser, handler); });
    });
    bool answered = parser->got_some() || io.buffer.size() > 0;
    if (timed_out) return Failure{HttpErrorKind::timeout, "timed out waiting for the answer", true, answered};
    if (ec) return read_failure(ec, answered);
    int status = parser->get().result_int();
    if (status >= 200 || status == 101) break;
  }
  const auto& head = parser->get();
  response.status = head.result_int();
  response.headers.clear();
  for (const auto& field : head) response.headers[lower(field.name_string())] = std::string(field.value());

  const bool to_sink = request.body_sink && response.status >= 200 && response.status < 300;
  while (!parser->is_done()) {
    parser->get().body().data = io.chunk.data();
    parser->get().body().size = io.chunk.size();
    ec = io.await(deadline, timed_out, [&](auto handler) {
      io.with_stream([&](auto& stream) { http::async_read(stream, io.buffer, *parser, handler); });
    });
    if (ec == http::error::need_buffer) ec = {};
    if (timed_out) return Failure{HttpErrorKind::timeout, "timed out reading the answer", true, true};
    if (ec) return read_failure(ec, true);
    std::string_view got(io.chunk.data(), io.chunk.size() - parser->get().body().size);
    if (got.empty()) continue;
    if (!to_sink)
      response.body.append(got);
    else if (!request.body_sink(got))
      return Failure{HttpErrorKind::other, "the body sink refused the answer", true, true};
  }
  keep_alive_ = parser->get().keep_alive() && !parser->need_eof();
  return std::nullopt;
}

bool HttpConnection::reusable() const {
  if (!keep_alive_ || !io_->socket.is_open() || io_->buffer.size() > 0) return false;
  if (io_->tls && SSL_pending(io_->tls->native_handle()) > 0) return false;
  // Readable while idle: the peer closed it (or sent what no request asked for).
  pollfd p{io_->socket.native_handle(), POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

}  // namespace k9::aws
