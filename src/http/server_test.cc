// The server over real loopback sockets, driven by a small blocking Beast client.
#include "http/server.h"

#include "api/responses.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace k9::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
using Response = bhttp::response<bhttp::string_body>;

// ---- test handler -----------------------------------------------------------------------

class TestHandler : public api::Handler {
 public:
  // Default: 200 text/plain, body = the path it saw.
  std::function<api::Response(const api::Request&)> fn;
  // What admit() answers: the body limit of every path, or of paths under a prefix.
  size_t max_body = 1024 * 1024;
  std::vector<std::pair<std::string, size_t>> limits;  // {"PUT /uploads/", 65536}: prefix match
  bool blocks = true;

  api::Admission admit(std::string_view method, std::string_view path) const noexcept override {
    std::string key = std::string(method) + " " + std::string(path);
    for (auto& [prefix, limit] : limits)
      if (prefix.back() == '/' ? key.starts_with(prefix) : key == prefix) return {limit, blocks};
    return {max_body, blocks};
  }
  api::Response refuse(const Error& e) const noexcept override { return api::error_response(e); }

  api::Response handle(const api::Request& r) noexcept override {
    try {
      return answer(r);
    } catch (const std::exception& e) {
      return refuse(internal_error(e.what()));
    } catch (...) {
      return refuse(internal_error("?"));
    }
  }

  api::Response answer(const api::Request& r) {
    {
      std::lock_guard lock(mu_);
      ++calls_;
      last_ = r;
      cv_.notify_all();
    }
    if (fn) return fn(r);
    api::Response res;
    res.body = r.path;
    res.content_type = "text/plain";
    res.headers.push_back({"X-Handler", "yes"});
    return res;
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  api::Request last() {
    std::lock_guard lock(mu_);
    return last_;
  }
  bool wait_calls(int n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return calls_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int calls_ = 0;
  api::Request last_;
};

// ---- blocking client --------------------------------------------------------------------

class Client {
 public:
  explicit Client(uint16_t port) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    socket_.set_option(tcp::no_delay(true));
    // A misbehaving server must fail the test, not hang it.
    timeval tv{5, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }

  void send_raw(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }

  void send(std::string_view method, std::string_view target,
            std::vector<std::pair<std::string, std::string>> headers = {}, std::string body = {}) {
    bhttp::request<bhttp::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(bhttp::field::host, "localhost");
    for (auto& [k, v] : headers) req.set(k, v);
    req.body() = std::move(body);
    req.prepare_payload();
    bhttp::write(socket_, req);
  }

  Response read(bool head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (head) parser.skip(true);
    bhttp::read(socket_, buffer_, parser);
    return parser.release();
  }

  Response request(std::string_view method, std::string_view target,
                   std::vector<std::pair<std::string, std::string>> headers = {},
                   std::string body = {}) {
    send(method, target, std::move(headers), std::move(body));
    return read();
  }

  // Reads up to "\r\n\r\n" (an interim response, say).
  std::string read_head() {
    auto n = asio::read_until(socket_, asio::dynamic_buffer(raw_), "\r\n\r\n");
    std::string head = raw_.substr(0, n);
    raw_.erase(0, n);
    return head;
  }

  // True if the server closes the connection (EOF or reset) within `within`; unread
  // response bytes are skipped.
  bool closed_by_server(std::chrono::milliseconds within) {
    auto deadline = SteadyClock::now() + within;
    buffer_.clear();
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
      if (left.count() <= 0) return false;
      pollfd p{socket_.native_handle(), POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(left.count()));
      if (r <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(socket_.native_handle(), buf, sizeof buf, 0);
      if (n <= 0) return true;
    }
  }

  tcp::socket& socket() { return socket_; }

 private:
  asio::io_context ioc_;
  tcp::socket socket_{ioc_};
  beast::flat_buffer buffer_;
  std::string raw_;
};

std::string header(const Response& r, std::string_view name) {
  auto it = r.find(name);
  return it == r.end() ? std::string() : std::string(it->value());
}

boost::json::object json_body(const Response& r) {
  return boost::json::parse(r.body()).as_object();
}

void expect_json_error(const Response& r, int status, std::string_view code) {
  EXPECT_EQ(r.result_int(), static_cast<unsigned>(status));
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
  EXPECT_EQ(header(r, "Content-Length"), std::to_string(r.body().size()));
  EXPECT_FALSE(header(r, "X-Request-Id").empty());
  EXPECT_EQ(header(r, "Access-Control-Allow-Origin"), "*");
  auto body = json_body(r);
  EXPECT_EQ(body.at("code").as_string(), code);
  EXPECT_FALSE(body.at("message").as_string().empty());
}

// ---- fixture ----------------------------------------------------------------------------

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::drop("access");
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    auto logger = std::make_shared<spdlog::logger>("access", sink);
    logger->set_pattern("%v");
    spdlog::register_logger(logger);
  }

  void TearDown() override {
    if (server_) server_->stop(0ms);
    spdlog::drop("access");
  }

  void start(ServerOptions o = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    o.io_threads = 2;
    o.handler_threads = 4;
    server_ = std::make_unique<Server>(o, handler_);
    server_->start();
    ASSERT_NE(server_->port(), 0);
  }

  Client client() { return Client(server_->port()); }

  // Access-log lines; stop the server first so that every line is written.
  std::vector<std::string> log_lines() {
    std::vector<std::string> lines;
    std::istringstream in(log_.str());
    for (std::string l; std::getline(in, l);)
      if (!l.empty()) lines.push_back(l);
    return lines;
  }

  TestHandler handler_;
  std::ostringstream log_;
  std::unique_ptr<Server> server_;
};

// ---- tests ------------------------------------------------------------------------------

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  auto c = client();
  for (std::string path : {"/one", "/two", "/three"}) {
    auto r = c.request("GET", path);
    EXPECT_EQ(r.result_int(), 200u);
    EXPECT_EQ(r.body(), path);
    EXPECT_TRUE(r.keep_alive());
    EXPECT_EQ(header(r, "Content-Type"), "text/plain");
    EXPECT_EQ(header(r, "Content-Length"), std::to_string(path.size()));
    EXPECT_EQ(header(r, "Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(header(r, "X-Handler"), "yes");
    EXPECT_FALSE(header(r, "Date").empty());
  }
  EXPECT_EQ(handler_.calls(), 3);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  handler_.fn = [](const api::Request& r) {
    if (r.path == "/first") std::this_thread::sleep_for(30ms);  // would overtake if parallel
    api::Response res;
    res.body = r.path;
    return res;
  };
  start();
  auto c = client();
  c.send_raw(
      "GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "GET /third HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read().body(), "/first");
  EXPECT_EQ(c.read().body(), "/second");
  EXPECT_EQ(c.read().body(), "/third");
}

TEST_F(ServerTest, TranslatesTheRequest) {
  start();
  auto c = client();
  auto r = c.request("PUT", "/items/a%20b/c+d?x=1%202&y=a+b&flag&x2=%E2%82%AC",
                     {{"X-Custom-Thing", "Value"}, {"Content-Type", "text/plain"}}, "the body");
  ASSERT_EQ(r.result_int(), 200u);
  auto req = handler_.last();
  EXPECT_EQ(req.method, "PUT");
  EXPECT_EQ(req.path, "/items/a b/c+d");
  EXPECT_EQ(req.query, (std::map<std::string, std::string>{
                           {"x", "1 2"}, {"y", "a b"}, {"flag", ""}, {"x2", "\xE2\x82\xAC"}}));
  EXPECT_EQ(req.headers.at("x-custom-thing"), "Value");
  EXPECT_EQ(req.headers.at("content-type"), "text/plain");
  EXPECT_EQ(req.headers.at("host"), "localhost");
  EXPECT_EQ(req.body, "the body");
  EXPECT_EQ(req.remote_address, "127.0.0.1");
  EXPECT_EQ(req.request_id, header(r, "X-Request-Id"));
}

TEST_F(ServerTest, RepeatedHeadersAreCombined) {
  start();
  auto c = client();
  c.send_raw("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\n\r\n");
  ASSERT_EQ(c.read().result_int(), 200u);
  EXPECT_EQ(handler_.last().headers.at("x-a"), "1, 2");
}

TEST_F(ServerTest, Http10KeepAliveOnlyWhenAsked) {
  start();
  auto c = client();
  c.send_raw("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  auto r = c.read();
  EXPECT_EQ(r.body(), "/a");
  EXPECT_EQ(header(r, "Connection"), "keep-alive");
  c.send_raw("GET /b HTTP/1.0\r\n\r\n");
  r = c.read();
  EXPECT_EQ(r.body(), "/b");
  EXPECT_TRUE(c.closed_by_server(2s));
}

TEST_F(ServerTest, HeadSendsNoBody) {
  start();
  auto c = client();
  c.send_raw("HEAD /abc HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n");
  auto head = c.read(/*head=*/true);
  EXPECT_EQ(head.result_int(), 200u);
  EXPECT_EQ(header(head, "Content-Length"), "4");
  EXPECT_EQ(c.read().body(), "/next");  // no stray body bytes in between
}

TEST_F(ServerTest, RequestIdIsEchoedWhenSaneElseGenerated) {
  start();
  auto c = client();
  auto r = c.request("GET", "/", {{"X-Request-Id", "abc-123_X.y"}});
  EXPECT_EQ(header(r, "X-Request-Id"), "abc-123_X.y");
  EXPECT_EQ(handler_.last().request_id, "abc-123_X.y");

  auto g1 = header(c.request("GET", "/"), "X-Request-Id");
  auto g2 = header(c.request("GET", "/"), "X-Request-Id");
  EXPECT_FALSE(g1.empty());
  EXPECT_NE(g1, g2);
  EXPECT_EQ(handler_.last().request_id, g2);

  for (std::string bad : {std::string("has space"), std::string("semi;colon"), std::string(129, 'a')}) {
    auto id = header(c.request("GET", "/", {{"X-Request-Id", bad}}), "X-Request-Id");
    EXPECT_NE(id, bad);
    EXPECT_FALSE(id.empty());
  }
  auto max = std::string(128, 'a');
  EXPECT_EQ(header(c.request("GET", "/", {{"X-Request-Id", max}}), "X-Request-Id"), max);
}

TEST_F(ServerTest, CorsPreflightAnswersWithoutTheHandler) {
  start();
  auto c = client();
  auto r = c.request("OPTIONS", "/any/path/at/all?x=1",
                     {{"Origin", "https://example.com"}, {"Access-Control-Request-Method", "PUT"}});
  EXPECT_EQ(r.result_int(), 204u);
  EXPECT_EQ(header(r, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(r, "Access-Control-Allow-Methods"), "GET,POST,PUT,PATCH,DELETE,OPTIONS");
  EXPECT_EQ(header(r, "Access-Control-Allow-Headers"),
            "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token");
  EXPECT_EQ(header(r, "Access-Control-Max-Age"), "600");
  EXPECT_FALSE(header(r, "X-Request-Id").empty());
  EXPECT_TRUE(r.body().empty());
  EXPECT_EQ(handler_.calls(), 0);
  // The connection is still usable.
  EXPECT_EQ(c.request("GET", "/after").body(), "/after");
}

TEST_F(ServerTest, CustomCorsOrigin) {
  ServerOptions o;
  o.cors_origin = "https://app.example.com";
  start(o);
  auto c = client();
  EXPECT_EQ(header(c.request("GET", "/"), "Access-Control-Allow-Origin"), "https://app.example.com");
}

TEST_F(ServerTest, BodyOverLimitIs413AndSkipsTheHandler) {
  handler_.max_body = 1024;
  start();
  {
    auto c = client();
    // The whole body is sent before reading, as most clients do: the server must keep
    // draining it after answering, or this write would stall and the answer be lost.
    auto r = c.request("POST", "/upload", {{"X-Request-Id", "big-1"}}, std::string(8 << 20, 'x'));
    expect_json_error(r, 413, "PayloadTooLarge");
    EXPECT_EQ(header(r, "X-Request-Id"), "big-1");
    EXPECT_FALSE(r.keep_alive());
    EXPECT_TRUE(c.closed_by_server(3s));
  }
  {  // chunked: the limit applies while the body streams in
    auto c = client();
    c.send_raw("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 3; ++i) c.send_raw("200\r\n" + std::string(512, 'y') + "\r\n");
    expect_json_error(c.read(), 413, "PayloadTooLarge");
  }
  {  // exactly at the limit is fine
    auto c = client();
    EXPECT_EQ(c.request("POST", "/ok", {}, std::string(1024, 'z')).result_int(), 200u);
  }
  EXPECT_EQ(handler_.calls(), 1);
}

// The handler's admission decides each route's limit, from the decoded path after the base path.
TEST_F(ServerTest, PerRouteBodyLimitsComeFromTheHandler) {
  ServerOptions o;
  o.base_path = "/prod";
  handler_.max_body = 1024;
  // Larger than the server's own limit for requests it routes nowhere (64 KiB).
  handler_.limits = {{"PUT /uploads/", 256 * 1024}, {"PUT /user/avatar", 4096}};
  start(o);
  {  // under an upload route: up to its own limit
    auto c = client();
    EXPECT_EQ(c.request("PUT", "/prod/uploads/a.jpg", {}, std::string(256 * 1024, 'u')).result_int(), 200u);
  }
  {  // over it: 413 from the Content-Length, before the body is read
    auto c = client();
    auto r = c.request("PUT", "/prod/uploads/a.jpg", {}, std::string(256 * 1024 + 1, 'u'));
    expect_json_error(r, 413, "PayloadTooLarge");
    EXPECT_TRUE(c.closed_by_server(3s));
  }
  {  // chunked bodies count against the route's limit as they come
    auto c = client();
    c.send_raw("PUT /prod/user/avatar HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 3; ++i) c.send_raw("800\r\n" + std::string(2048, 'y') + "\r\n");
    expect_json_error(c.read(), 413, "PayloadTooLarge");
  }
  {  // other methods and paths keep the global limit; "/user/avatar" is exact, not a prefix
    auto c = client();
    expect_json_error(c.request("POST", "/prod/uploads/a.jpg", {}, std::string(2048, 'p')), 413, "PayloadTooLarge");
  }
  {
    auto c = client();
    expect_json_error(c.request("PUT", "/prod/user/avatar2", {}, std::string(2048, 'p')), 413, "PayloadTooLarge");
  }
  {
    auto c = client();
    // outside the base path: no handler, the server's own small limit
    expect_json_error(c.request("PUT", "/uploads/a.jpg", {}, std::string(70 * 1024, 'p')), 413, "PayloadTooLarge");
  }
  EXPECT_EQ(handler_.calls(), 1);
}

TEST_F(ServerTest, HeaderOverLimitIs431) {
  ServerOptions o;
  o.max_header_bytes = 4096;
  start(o);
  auto c = client();
  auto r = c.request("GET", "/", {{"X-Big", std::string(8000, 'h')}});
  expect_json_error(r, 431, "RequestHeaderFieldsTooLarge");
  EXPECT_FALSE(r.keep_alive());
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(ServerTest, MalformedRequestLineIs400) {
  start();
  for (std::string raw : {"THIS IS NOT HTTP\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n"}) {
    auto c = client();
    c.send_raw(raw);
    auto r = c.read();
    expect_json_error(r, 400, "BadRequest");
    EXPECT_TRUE(c.closed_by_server(3s)) << raw;
  }
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(ServerTest, BadPercentEncodingIs400) {
  start();
  auto c = client();
  for (std::string target : {"/a%zz", "/a%2", "/a%00b", "/ok?x=%G1", "/ok?x=%00", "http://host/abs"}) {
    auto r = c.request("GET", target);
    expect_json_error(r, 400, "BadRequest");
    EXPECT_TRUE(r.keep_alive()) << target;  // the request was read whole: keep going
  }
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(ServerTest, BasePathIsStrippedAndOutsideIs404) {
  ServerOptions o;
  o.base_path = "/prod";
  start(o);
  auto c = client();
  EXPECT_EQ(c.request("GET", "/prod/items/1?x=y").body(), "/items/1");
  EXPECT_EQ(c.request("GET", "/prod").body(), "/");
  EXPECT_EQ(c.request("GET", "/prod%2Fitems").body(), "/items");  // decoded first
  for (std::string target : {"/production", "/other", "/", "/pro"}) {
    auto r = c.request("GET", target);
    expect_json_error(r, 404, "NotFound");
  }
  EXPECT_EQ(handler_.calls(), 3);
}

TEST_F(ServerTest, InvalidHandlerStatusIs500) {
  handler_.fn = [](const api::Request&) {
    api::Response res;
    res.status = 42;
    return res;
  };
  start();
  auto c = client();
  expect_json_error(c.request("GET", "/"), 500, "InternalError");
}

TEST_F(ServerTest, HandlerHeadersCannotBreakFraming) {
  handler_.fn = [](const api::Request&) {
    api::Response res;
    res.body = "hello";
    res.headers = {{"Content-Length", "999"},
                   {"X-Injected", "a\r\nX-Evil: 1"},
                   {"Bad Name", "v"},
                   {"X-Fine", "ok"}};
    return res;
  };
  start();
  auto c = client();
  auto r = c.request("GET", "/");
  EXPECT_EQ(r.body(), "hello");
  EXPECT_EQ(header(r, "Content-Length"), "5");
  EXPECT_EQ(header(r, "X-Evil"), "");
  EXPECT_EQ(header(r, "X-Injected"), "");
  EXPECT_EQ(header(r, "X-Fine"), "ok");
  EXPECT_EQ(c.request("GET", "/again").body(), "hello");
}

TEST_F(ServerTest, Expect100ContinueGetsAnInterimResponse) {
  start();
  auto c = client();
  c.send_raw("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(c.read_head(), "HTTP/1.1 100 Continue\r\n\r\n");
  c.send_raw("hello");
  EXPECT_EQ(c.read().result_int(), 200u);
  EXPECT_EQ(handler_.last().body, "hello");
}

TEST_F(ServerTest, SlowClientIsDisconnectedAfterReadTimeout) {
  ServerOptions o;
  o.read_timeout = 1s;
  start(o);
  auto c = client();
  auto t0 = SteadyClock::now();
  c.send_raw("GET / HTTP/1.1\r\n");
  // Trickle a header byte every 100 ms: a per-read timeout would never fire.
  bool closed = false;
  while (!closed && SteadyClock::now() - t0 < 4s) {
    boost::system::error_code ec;
    asio::write(c.socket(), asio::buffer("X", 1), ec);
    closed = ec || c.closed_by_server(100ms);
  }
  auto elapsed = SteadyClock::now() - t0;
  EXPECT_TRUE(closed);
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 2500ms);
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions o;
  o.idle_timeout = 1s;
  o.read_timeout = 10s;
  start(o);
  auto c = client();
  ASSERT_EQ(c.request("GET", "/").result_int(), 200u);
  auto t0 = SteadyClock::now();
  EXPECT_TRUE(c.closed_by_server(3s));
  auto elapsed = SteadyClock::now() - t0;
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 2500ms);
}

TEST_F(ServerTest, GracefulStopWaitsForInFlightRequest) {
  std::atomic<bool> slow_done{false};
  handler_.fn = [&](const api::Request& r) {
    api::Response res;
    if (r.path == "/slow") {
      std::this_thread::sleep_for(300ms);
      slow_done = true;
    }
    res.body = r.path;
    return res;
  };
  start();
  auto idle = client();  // a keep-alive connection with nothing in flight
  ASSERT_EQ(idle.request("GET", "/warm").result_int(), 200u);

  Response slow;
  std::string client_error;
  std::thread t([&] {
    try {
      auto c = client();
      slow = c.request("GET", "/slow");
    } catch (const std::exception& e) {
      client_error = e.what();
    }
  });
  ASSERT_TRUE(handler_.wait_calls(2, 2s));  // /slow is in the handler now
  auto t0 = SteadyClock::now();
  server_->stop(5s);
  auto took = SteadyClock::now() - t0;
  t.join();

  EXPECT_TRUE(slow_done);
  EXPECT_EQ(client_error, "");
  EXPECT_EQ(slow.result_int(), 200u);
  EXPECT_EQ(slow.body(), "/slow");
  EXPECT_FALSE(slow.keep_alive());  // Connection: close while shutting down
  EXPECT_LT(took, 2s);              // did not sit out the whole grace
  EXPECT_TRUE(idle.closed_by_server(1s));
  boost::system::error_code ec;
  asio::io_context ioc;
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()), ec);
  EXPECT_TRUE(ec) << "still accepting after stop";
  server_->wait();  // returns at once: stopped
}

TEST_F(ServerTest, StopWithoutGraceCutsSlowHandlersShort) {
  handler_.fn = [&](const api::Request& r) {
    std::this_thread::sleep_for(200ms);
    return api::Response{};
  };
  start();
  std::thread t([&] {
    auto c = client();
    try {
      c.request("GET", "/slow");
      ADD_FAILURE() << "expected no response";
    } catch (const std::exception&) {
    }
  });
  ASSERT_TRUE(handler_.wait_calls(1, 2s));
  server_->stop(0ms);  // joins the handler, but the connection is closed without an answer
  t.join();
}

TEST_F(ServerTest, AccessLogLineIsJsonWithoutSecrets) {
  start();
  auto c = client();
  ASSERT_EQ(c.request("POST", "/logged/path?token=query-secret",
                      {{"Authorization", "Bearer header-secret"}, {"X-Request-Id", "log-1"}},
                      "body-secret")
                .result_int(),
            200u);
  c.send_raw("OPTIONS /pre HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(c.read().result_int(), 204u);
  server_->stop(1s);

  auto lines = log_lines();
  ASSERT_EQ(lines.size(), 2u) << log_.str();
  for (const auto& l : lines) {
    EXPECT_EQ(l.find("secret"), std::string::npos) << l;
  }
  auto v = boost::json::parse(lines[0]).as_object();
  EXPECT_EQ(v.at("request_id").as_string(), "log-1");
  EXPECT_EQ(v.at("method").as_string(), "POST");
  EXPECT_EQ(v.at("path").as_string(), "/logged/path");
  EXPECT_EQ(v.at("status").as_int64(), 200);
  EXPECT_GT(v.at("bytes_in").as_int64(), 100);
  EXPECT_GT(v.at("bytes_out").as_int64(), 100);
  EXPECT_TRUE(v.at("duration_ms").is_double());
  EXPECT_GE(v.at("duration_ms").as_double(), 0.0);
  EXPECT_EQ(v.at("remote").as_string(), "127.0.0.1");
  EXPECT_TRUE(v.at("ts").is_string());
  EXPECT_TRUE(v.at("route").is_string());  // the route's name (this handler's table names none)
  EXPECT_EQ(v.at("user").as_string(), "");  // the test handler verifies no token
  EXPECT_EQ(v.size(), 11u);
  auto p = boost::json::parse(lines[1]).as_object();
  EXPECT_EQ(p.at("method").as_string(), "OPTIONS");
  EXPECT_EQ(p.at("status").as_int64(), 204);
}

TEST_F(ServerTest, StartFailsWhenThePortIsTaken) {
  start();
  ServerOptions o;
  o.port = server_->port();
  Server second(o, handler_);
  EXPECT_THROW(second.start(), std::exception);
}

TEST_F(ServerTest, RunUntilSignalReturnsAfterStop) {
  start();
  std::atomic<bool> returned{false};
  std::thread t([&] {
    run_until_signal(*server_, 1s);
    returned = true;
  });
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(returned);
  server_->stop(1s);
  t.join();
  EXPECT_TRUE(returned);
}

TEST_F(ServerTest, RunUntilSignalStopsOnSigterm) {
  // Keeps Asio's handler installed for SIGTERM throughout, so raising it early can never
  // hit the default action (terminating the test binary).
  asio::io_context guard_ioc;
  asio::signal_set guard(guard_ioc, SIGTERM);
  start();
  std::atomic<bool> returned{false};
  std::thread t([&] {
    run_until_signal(*server_, 1s);
    returned = true;
  });
  auto t0 = SteadyClock::now();
  while (!returned && SteadyClock::now() - t0 < 5s) {
    std::raise(SIGTERM);
    std::this_thread::sleep_for(20ms);
  }
  t.join();
  EXPECT_TRUE(returned);
  boost::system::error_code ec;
  tcp::socket s(guard_ioc);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()), ec);
  EXPECT_TRUE(ec) << "still accepting after SIGTERM";
}

}  // namespace
}  // namespace k9::http
