// The listener, the threads and the shutdown sequence. Connections are served by
// session.cc; nothing here needs Beast.
#include "http/server.h"

#include <algorithm>
#include <csignal>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "http/http_util.h"
#include "http/server_state.h"

namespace k9::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace detail {
namespace {

ServerOptions checked(ServerOptions o) {
  if (o.io_threads <= 0) o.io_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (o.handler_threads <= 0) o.handler_threads = 1;
  if (o.cors_origin.find_first_of("\r\n") != std::string::npos ||
      o.cors_origin.find('\0') != std::string::npos)
    throw std::invalid_argument("http: cors_origin must not contain CR, LF or NUL");
  return o;
}

std::shared_ptr<spdlog::logger> access_logger() {
  if (auto l = spdlog::get("access")) return l;
  try {
    auto l = spdlog::stdout_logger_mt("access");
    l->set_pattern("%v");
    return l;
  } catch (const spdlog::spdlog_ex&) {  // registered meanwhile by another thread
    return spdlog::get("access");
  }
}

}  // namespace

Shared::Shared(ServerOptions options, api::Handler& h)
    : opts(checked(std::move(options))),
      base_path(normalize_base_path(opts.base_path)),
      handler(h),
      access_log(opts.access_log ? access_logger() : nullptr) {
  for (int i = 0; i < opts.io_threads; ++i) iocs.push_back(std::make_unique<asio::io_context>(1));
}

Shared::~Shared() = default;

void Shared::request_end() {
  // Only a stop() waits on it; outside shutdown this is one atomic decrement.
  if (busy.fetch_sub(1) == 1 && shutting_down.load()) {
    std::lock_guard lock(mu);
    cv.notify_all();
  }
}

Shared::Registry::iterator Shared::add_session(std::weak_ptr<SessionControl> s) {
  std::lock_guard lock(mu);
  ++session_count;
  return sessions.insert(sessions.end(), std::move(s));
}

void Shared::remove_session(Registry::iterator it) {
  std::lock_guard lock(mu);
  sessions.erase(it);
  --session_count;
  if (session_count == 0 && shutting_down.load()) cv.notify_all();
}

bool Shared::wait_idle_until(SteadyClock::time_point deadline) {
  std::unique_lock lock(mu);
  return cv.wait_until(lock, deadline, [&] { return busy.load() == 0; });
}

bool Shared::wait_no_sessions_until(SteadyClock::time_point deadline) {
  std::unique_lock lock(mu);
  return cv.wait_until(lock, deadline, [&] { return session_count == 0; });
}

}  // namespace detail

struct Server::Impl {
  Impl(ServerOptions options, api::Handler& handler)
      : sh(std::make_unique<detail::Shared>(std::move(options), handler)) {}

  ~Impl() {
    retry_timer.reset();
    acceptor.reset();
  }

  void accept() {
    acceptor->async_accept(sh->next_context().get_executor(),
                           [this](boost::system::error_code ec, tcp::socket socket) {
                             on_accept(ec, std::move(socket));
                           });
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
    if (ec) {
      // Out of descriptors or memory: back off instead of spinning; anything else
      // (a client that reset before accept) is per-connection.
      bool resource = ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
                      ec == asio::error::no_memory ||
                      ec == boost::system::error_code(ENFILE, boost::system::system_category());
      spdlog::warn("http: accept failed: {}", ec.message());
      if (resource) {
        retry_timer->expires_after(std::chrono::milliseconds(50));
        retry_timer->async_wait([this](boost::system::error_code e) {
          if (!e && acceptor->is_open()) accept();
        });
        return;
      }
      return accept();
    }
    if (sh->shutting_down.load()) {
      boost::system::error_code ignored;
      socket.close(ignored);
      return;
    }
    try {
      detail::start_session(*sh, std::move(socket));
    } catch (const std::exception& e) {
      spdlog::error("http: cannot start session: {}", e.what());
    }
    accept();
  }

  // Declared first: destroyed after the acceptor and timer, which use its io_context.
  std::unique_ptr<detail::Shared> sh;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> retry_timer;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  uint16_t port = 0;

  enum class Phase { created, running, stopping, stopped };
  std::mutex mu;
  std::condition_variable cv;
  Phase phase = Phase::created;
};

Server::Server(ServerOptions options, api::Handler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

Server::~Server() {
  if (impl_) stop(std::chrono::milliseconds(0));
}

void Server::start() {
  auto& im = *impl_;
  std::lock_guard lock(im.mu);
  if (im.phase != Impl::Phase::created) throw std::logic_error("http: Server::start called twice");
  auto& sh = *im.sh;
  const auto& o = sh.opts;
  try {
    boost::system::error_code ec;
    tcp::endpoint endpoint;
    auto address = asio::ip::make_address(o.host, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, o.port);
    } else {  // a host name such as "localhost"
      tcp::resolver resolver(sh.ioc());
      auto results = resolver.resolve(o.host, std::to_string(o.port));
      if (results.empty()) throw std::runtime_error("no address");
      endpoint = results.begin()->endpoint();
    }
    im.acceptor.emplace(sh.ioc());
    im.acceptor->open(endpoint.protocol());
    im.acceptor->set_option(asio::socket_base::reuse_address(true));
    im.acceptor->bind(endpoint);
    im.acceptor->listen(asio::socket_base::max_listen_connections);
    im.port = im.acceptor->local_endpoint().port();
  } catch (const std::exception& e) {
    im.acceptor.reset();
    throw std::runtime_error("http: cannot listen on " + o.host + ":" + std::to_string(o.port) +
                             ": " + e.what());
  }
  im.retry_timer.emplace(im.acceptor->get_executor());
  sh.pool.emplace(static_cast<size_t>(o.handler_threads));
  for (auto& ioc : sh.iocs) im.work.push_back(asio::make_work_guard(*ioc));
  im.accept();
  im.threads.reserve(static_cast<size_t>(o.io_threads));
  for (int i = 0; i < o.io_threads; ++i) {
    im.threads.emplace_back([&ioc = *sh.iocs[static_cast<size_t>(i)]] {
      for (;;) {
        try {
          ioc.run();
          return;
        } catch (const std::exception& e) {  // handlers should not throw; keep serving
          spdlog::error("http: io thread caught: {}", e.what());
        }
      }
    });
  }
  im.phase = Impl::Phase::running;
  spdlog::info("http: listening on {}:{}", o.host, im.port);
}

uint16_t Server::port() const { return impl_->port; }

size_t Server::connections() const {
  std::lock_guard lock(impl_->sh->mu);
  return impl_->sh->session_count;
}

size_t Server::in_flight() const { return impl_->sh->busy.load(std::memory_order_relaxed); }

void Server::stop(std::chrono::milliseconds grace) {
  auto& im = *impl_;
  {
    std::unique_lock lock(im.mu);
    if (im.phase == Impl::Phase::created) {
      im.phase = Impl::Phase::stopped;
      im.cv.notify_all();
      return;
    }
    if (im.phase != Impl::Phase::running) {  // stopping elsewhere, or stopped
      im.cv.wait(lock, [&] { return im.phase == Impl::Phase::stopped; });
      return;
    }
    im.phase = Impl::Phase::stopping;
  }
  auto& sh = *im.sh;
  const auto deadline = SteadyClock::now() + grace;

  // 1. No new connections; no new keep-alive rounds; idle connections closed.
  sh.shutting_down.store(true);
  asio::post(im.acceptor->get_executor(), [&im] {
    boost::system::error_code ignored;
    im.acceptor->close(ignored);
    im.retry_timer->cancel();
  });
  sh.for_each_session([](detail::SessionControl& s) { s.close_if_idle(); });

  // 2. In-flight requests finish (responses carry Connection: close), up to grace.
  if (!sh.wait_idle_until(deadline))
    spdlog::warn("http: stop: grace of {} ms over with {} request(s) in flight", grace.count(),
                 sh.busy.load());

  // 3. Close what is left and stop the io threads.
  sh.for_each_session([](detail::SessionControl& s) { s.force_close(); });
  sh.wait_no_sessions_until(SteadyClock::now() + std::chrono::milliseconds(200));
  im.work.clear();
  for (auto& ioc : sh.iocs) ioc->stop();
  for (auto& t : im.threads) t.join();
  im.threads.clear();
  {
    boost::system::error_code ignored;
    im.acceptor->close(ignored);  // no io thread runs now
  }
  // 4. Handlers still running past grace are waited for; queued ones are dropped.
  sh.pool->stop();
  sh.pool->join();

  std::lock_guard lock(im.mu);
  im.phase = Impl::Phase::stopped;
  im.cv.notify_all();
  spdlog::info("http: stopped");
}

void Server::wait() {
  auto& im = *impl_;
  std::unique_lock lock(im.mu);
  im.cv.wait(lock, [&] { return im.phase == Impl::Phase::stopped; });
}

void run_until_signal(Server& server, std::chrono::milliseconds grace) {
  asio::io_context ioc(1);
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("http: signal {}: stopping (grace {} ms)", signal, grace.count());
    server.stop(grace);
  });
  // Also return when someone else stops the server.
  std::thread watcher([&] {
    server.wait();
    asio::post(ioc, [&] {
      boost::system::error_code ignored;
      signals.cancel(ignored);
    });
  });
  ioc.run();
  watcher.join();
}

}  // namespace k9::http
