// State shared by the listener and the connection sessions. Internal to src/http: it pulls
// in Asio (not Beast); only server.cc and session.cc include it.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

#include "api/handler.h"
#include "http/server.h"

namespace spdlog {
class logger;
}

namespace k9::http::detail {

// What the server needs from a session while stopping. Both post to the session's io_context.
class SessionControl {
 public:
  virtual ~SessionControl() = default;
  virtual void close_if_idle() = 0;  // no request started: close now
  virtual void force_close() = 0;    // grace is over: close whatever it is doing
};

struct Shared {
  Shared(ServerOptions options, api::Handler& handler);
  ~Shared();

  ServerOptions opts;
  std::string base_path;  // normalized: "" or "/prod"
  api::Handler& handler;
  std::shared_ptr<spdlog::logger> access_log;

  std::atomic<bool> shutting_down{false};

  // Requests between their first byte and the end of their response write.
  std::atomic<size_t> busy{0};
  void request_begin() { busy.fetch_add(1); }
  void request_end();

  // Live sessions, so stop() can reach the idle ones. Guarded by mu.
  using Registry = std::list<std::weak_ptr<SessionControl>>;
  Registry::iterator add_session(std::weak_ptr<SessionControl> s);
  void remove_session(Registry::iterator it);
  // Calls f on every live session, outside the lock.
  template <class F>
  void for_each_session(F f);
  bool wait_idle_until(std::chrono::steady_clock::time_point deadline);      // busy == 0
  bool wait_no_sessions_until(std::chrono::steady_clock::time_point deadline);

  std::mutex mu;
  std::condition_variable cv;
  Registry sessions;
  size_t session_count = 0;

  // One io_context per io thread (each run by that thread alone, concurrency hint 1): a
  // connection lives on one of them, chosen round-robin at accept, so no scheduler lock or
  // strand is shared between threads. Declared after the registry (sessions leave it from
  // their destructors) and the pool after them (queued handler tasks own sessions whose
  // sockets need their context).
  std::vector<std::unique_ptr<boost::asio::io_context>> iocs;
  std::atomic<size_t> next_ioc{0};
  boost::asio::io_context& ioc() { return *iocs.front(); }  // the acceptor's
  boost::asio::io_context& next_context() { return *iocs[next_ioc.fetch_add(1) % iocs.size()]; }
  std::optional<boost::asio::thread_pool> pool;
};

template <class F>
void Shared::for_each_session(F f) {
  std::vector<std::shared_ptr<SessionControl>> live;
  {
    std::lock_guard lock(mu);
    live.reserve(session_count);
    for (auto& w : sessions)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) f(*s);
}

// Starts serving an accepted connection (socket already bound to its io_context).
void start_session(Shared& shared, boost::asio::ip::tcp::socket socket);

}  // namespace k9::http::detail
