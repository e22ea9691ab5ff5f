// A small real HTTP/1.1 server on 127.0.0.1 for the AWS module's tests: each request goes
// to a handler that answers it, or asks for the connection to be cut without an answer.
// Connections are kept alive, so tests can see whether the client reuses them. With a
// TlsIdentity (loopback_tls.h) it speaks HTTPS.
//
// Contract: port() is bound when the constructor returns; the destructor stops the server
// and joins its threads. Handlers run on the server's threads, one per connection.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <csignal>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "aws/loopback_tls.h"

namespace k9::aws::testing {

struct ServedRequest {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // lower-case names
};

struct ServedResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool cut = false;  // close the connection without answering
  int delay_ms = 0;  // wait before answering (to provoke client timeouts)
  size_t chunk = 0;  // > 0: chunked transfer encoding, chunks of this size
  bool close_after = false;  // close the connection after answering (without saying so)
};

class LoopbackHttpServer {
 public:
  using Handler = std::function<ServedResponse(const ServedRequest&)>;

  explicit LoopbackHttpServer(Handler handler, const TlsIdentity* tls = nullptr) : handler_(std::move(handler)) {
    // Its TLS connections write through SSL_write on a plain fd: a client that has gone (the
    // tests cut connections on purpose) would raise SIGPIPE and end the test process. A write
    // to a closed connection is an error here, as it is for K9's own sockets (Asio sends with
    // MSG_NOSIGNAL).
    std::signal(SIGPIPE, SIG_IGN);
    if (tls) tls_ = tls->server_context();
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 64) != 0)
      throw std::runtime_error("cannot listen on loopback");
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~LoopbackHttpServer() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    acceptor_.join();
    std::lock_guard lock(mu_);
    for (int c : open_) ::shutdown(c, SHUT_RDWR);
    for (auto& t : workers_) t.join();
    for (int c : open_) ::close(c);
  }

  int port() const { return port_; }
  std::string url(const std::string& path = "/") const {
    return (tls_ ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(port_) + path;
  }
  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }
  int handshakes_failed() const { return handshakes_failed_.load(); }
  // The host names clients asked for in their TLS handshakes (SNI), "" for none.
  std::vector<std::string> server_names() {
    std::lock_guard lock(names_mu_);
    return server_names_;
  }

 private:
  // One accepted connection, plain or TLS.
  struct Conn {
    int fd;
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl{nullptr, SSL_free};
    ssize_t recv(char* buf, size_t n) {
      if (!ssl) return ::recv(fd, buf, n, 0);
      int r = SSL_read(ssl.get(), buf, static_cast<int>(n));
      return r > 0 ? r : -1;
    }
    bool send(const std::string& out) {
      if (!ssl) return ::send(fd, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size());
      return out.empty() || SSL_write(ssl.get(), out.data(), static_cast<int>(out.size())) > 0;
    }
  };

  void accept_loop() {
    while (!stopping_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      if (stopping_) {
        ::close(c);
        break;
      }
      ++connections_;
      std::lock_guard lock(mu_);
      open_.push_back(c);
      workers_.emplace_back([this, c] { serve(c); });
    }
  }

  static std::string lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  }

  static std::string encode(const ServedResponse& resp) {
    std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " X\r\n";
    for (auto& [k, v] : resp.headers) out += k + ": " + v + "\r\n";
    if (!resp.chunk) return out + "Content-Length: " + std::to_string(resp.body.size()) + "\r\n\r\n" + resp.body;
    out += "Transfer-Encoding: chunked\r\n\r\n";
    char size[32];
    for (size_t at = 0; at < resp.body.size(); at += resp.chunk) {
      std::string_view piece = std::string_view(resp.body).substr(at, resp.chunk);
      std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
      out.append(size).append(piece).append("\r\n");
    }
    return out + "0\r\n\r\n";
  }

  void serve(int fd) {
    Conn c{fd};
    if (tls_) {
      c.ssl.reset(SSL_new(tls_.get()));
      SSL_set_fd(c.ssl.get(), fd);
      if (SSL_accept(c.ssl.get()) != 1) {
        ++handshakes_failed_;
        ::shutdown(fd, SHUT_RDWR);
        return;
      }
      const char* sni = SSL_get_servername(c.ssl.get(), TLSEXT_NAMETYPE_host_name);
      std::lock_guard lock(names_mu_);
      server_names_.push_back(sni ? sni : "");
    }
    std::string buf;
    char chunk[8192];
    for (;;) {
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = c.recv(chunk, sizeof chunk);
        if (n <= 0) return;
        buf.append(chunk, static_cast<size_t>(n));
      }
      ServedRequest req;
      std::string head = buf.substr(0, end);
      size_t line_end = head.find("\r\n");
      std::string first = head.substr(0, line_end);
      req.method = first.substr(0, first.find(' '));
      req.target = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
      size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
      while (pos < head.size()) {
        size_t nl = head.find("\r\n", pos);
        if (nl == std::string::npos) nl = head.size();
        std::string line = head.substr(pos, nl - pos);
        size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string v = line.substr(colon + 1);
          v.erase(0, v.find_first_not_of(' '));
          req.headers[lower(line.substr(0, colon))] = v;
        }
        pos = nl + 2;
      }
      size_t length = req.headers.count("content-length") ? std::stoul(req.headers["content-length"]) : 0;
      buf.erase(0, end + 4);
      while (buf.size() < length) {
        ssize_t n = c.recv(chunk, sizeof chunk);
        if (n <= 0) return;
        buf.append(chunk, static_cast<size_t>(n));
      }
      req.body = buf.substr(0, length);
      buf.erase(0, length);
      ++requests_;
      ServedResponse resp = handler_(req);
      if (resp.delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(resp.delay_ms));
      if (resp.cut) {
        ::shutdown(fd, SHUT_RDWR);
        return;
      }
      if (!c.send(encode(resp))) return;
      if (resp.close_after) {
        ::shutdown(fd, SHUT_RDWR);
        return;
      }
    }
  }

  Handler handler_;
  std::shared_ptr<SSL_CTX> tls_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0}, requests_{0}, handshakes_failed_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> open_;
  std::vector<std::thread> workers_;
  std::mutex names_mu_;  // not mu_: the destructor holds that while it joins the workers
  std::vector<std::string> server_names_;
};

}  // namespace k9::aws::testing
