// The HTTP front door: an HTTP/1.1 server on Boost.Beast that translates requests to
// api::Request, runs the api::Handler on a thread pool and writes the api::Response back.
// Beast and Asio stay out of this header (pimpl): include it freely.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/http_types.h"

namespace k9::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 3001;  // 0 = pick a free port
  // e.g. "/prod": stripped from request paths; requests outside it get a 404 JSON error.
  // "" or "/" = none.
  std::string base_path;
  // Over a limit: a 431 / 413 JSON error, then the connection is closed.
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1 * 1024 * 1024;
  // Other body limits for some routes (uploads: {"PUT", "/uploads/", 20 MiB}), matched on the
  // method and the decoded path after the base path ("/user/avatar" matches itself only;
  // a prefix ending in '/' matches everything under it). The first match wins; else
  // max_body_bytes. Over it: the same 413, sent before the body is read.
  struct BodyLimit {
    std::string method;
    std::string path;
    size_t max_bytes = 0;
  };
  std::vector<BodyLimit> body_limits;
  // A request must arrive completely within read_timeout once its first byte arrives (a fresh
  // connection must also send its first byte within it); writes are bounded by it too.
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{60};  // keep-alive connection idle between requests
  int io_threads = 0;                     // 0 = hardware_concurrency
  // Handlers may block (store writes wait for group commit), so they run on this pool,
  // never on io threads.
  int handler_threads = 64;
  std::string cors_origin = "*";  // "" = no CORS headers
};

class Server {
 public:
  Server(ServerOptions options, api::Handler& handler);
  ~Server();  // stops (no grace) if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens, starts the threads. Throws on bind failure.
  void start();
  // The bound port (valid after start()).
  uint16_t port() const;
  // Graceful: stop accepting, let in-flight requests finish (up to grace), close idle
  // keep-alive connections, join threads. Must not be called from a handler or io thread.
  // Handlers still running after grace are waited for (threads cannot be cancelled).
  void stop(std::chrono::milliseconds grace);
  // Blocks until stop() completes.
  void wait();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Installs SIGTERM/SIGINT handling that calls server.stop(grace); returns when the server
// has stopped (by a signal or by anyone else calling stop()).
void run_until_signal(Server& server, std::chrono::milliseconds grace);

}  // namespace k9::http
