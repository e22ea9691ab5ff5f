// The HTTP front door: an HTTP/1.1 server on Boost.Beast that translates requests to
// api::Request, runs the api::Handler (on the io thread, or on a thread pool when the handler
// says the request may block) and writes the api::Response back. It knows no routes: body
// limits and blocking come from api::Handler::admit().
// Beast and Asio stay out of this header (pimpl): include it freely.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/handler.h"

namespace k9::metrics {
class Registry;
}

namespace k9::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 3001;  // 0 = pick a free port
  // e.g. "/prod": stripped from request paths; requests outside it get a 404 JSON error.
  // "" or "/" = none.
  std::string base_path;
  // Over it: a 431 JSON error, then the connection is closed. Body limits are the handler's
  // (api::Handler::admit(): each route declares its own): over one, a 413 before the body is read.
  size_t max_header_bytes = 16 * 1024;
  // A request must arrive completely within read_timeout once its first byte arrives (a fresh
  // connection must also send its first byte within it); writes are bounded by it too.
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{60};  // keep-alive connection idle between requests
  int io_threads = 0;                     // 0 = hardware_concurrency
  // Requests the handler says may block (api::Admission::blocks: store writes, password
  // hashes, remote calls) run on this pool; the others run on their connection's io thread.
  int handler_threads = 64;
  std::string cors_origin = "*";  // "" = no CORS headers
  // Each answered request is counted here by route name, status, latency and bytes
  // (metrics/metrics.h); null: not counted. Outlives the server.
  metrics::Registry* metrics = nullptr;
  bool access_log = true;  // one line per request to the "access" logger
  bool access_log_text = false;  // that line as text for a terminal, not JSON (K9_LOG_FORMAT=text)
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
  // Open connections and requests between their first byte and their answer's end (gauges).
  size_t connections() const;
  size_t in_flight() const;
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
