// A small real HTTP/1.1 server on 127.0.0.1 for the AWS module's tests: each request goes
// to a handler that answers it, or asks for the connection to be cut without an answer.
// Connections are kept alive, so tests can see whether the client reuses them.
//
// Contract: port() is bound when the constructor returns; the destructor stops the server
// and joins its threads. Handlers run on the server's threads, one per connection.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

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
};

class LoopbackHttpServer {
 public:
  using Handler = std::function<ServedResponse(const ServedRequest&)>;

  explicit LoopbackHttpServer(Handler handler) : handler_(std::move(handler)) {
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
  std::string url(const std::string& path = "/") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }

 private:
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

  void serve(int c) {
    std::string buf;
    char chunk[8192];
    for (;;) {
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::recv(c, chunk, sizeof chunk, 0);
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
        ssize_t n = ::recv(c, chunk, sizeof chunk, 0);
        if (n <= 0) return;
        buf.append(chunk, static_cast<size_t>(n));
      }
      req.body = buf.substr(0, length);
      buf.erase(0, length);
      ++requests_;
      ServedResponse resp = handler_(req);
      if (resp.delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(resp.delay_ms));
      if (resp.cut) {
        ::shutdown(c, SHUT_RDWR);
        return;
      }
      std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " X\r\n";
      for (auto& [k, v] : resp.headers) out += k + ": " + v + "\r\n";
      out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n\r\n" + resp.body;
      if (::send(c, out.data(), out.size(), MSG_NOSIGNAL) < 0) return;
    }
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0}, requests_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> open_;
  std::vector<std::thread> workers_;
};

}  // namespace k9::aws::testing
