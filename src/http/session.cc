// One Session per connection: reads a request with Beast's parser (limits and deadlines
// set per request), translates it, runs the handler on the handler pool, writes the
// response and loops while the connection is kept alive. Requests on one connection are
// handled one at a time, so pipelined requests are answered in order. Everything except
// the handler call runs on the session's io_context, which one io thread runs alone.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <spdlog/spdlog.h>

#include "core/append_number.h"
#include "api/cors.h"
#include "api/responses.h"
#include "metrics/metrics.h"
#include "core/error.h"
#include "http/http_util.h"
#include "http/server_state.h"

namespace k9::http::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr size_t kReadChunk = 8192;
// The body limit of a request the handler never sees (a path that cannot be decoded, or
// outside the base path): it is refused as soon as it is read.
constexpr size_t kUnroutedBodyLimit = 64 * 1024;
// How long to keep draining a client we are closing on while it may still be sending
// (an unread body, pipelined requests): closing with unread data would reset the
// connection and could destroy the response before the client reads it.
constexpr std::chrono::seconds kLingerTime{2};

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// The preflight headers of api/cors.h, as header lines (built once).
const std::string& preflight_headers() {
  static const std::string h = std::string("Access-Control-Allow-Methods: ") + std::string(api::cors::kAllowMethods) +
                               "\r\nAccess-Control-Allow-Headers: " + std::string(api::cors::kAllowHeaders) +
                               "\r\nAccess-Control-Max-Age: " + std::string(api::cors::kMaxAgeSeconds) + "\r\n";
  return h;
}

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

const boost::system::error_category& http_category() {
  static const auto& cat = bhttp::make_error_code(bhttp::error::bad_target).category();
  return cat;
}


bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
         });
}

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool safe_header_value(std::string_view v) {
  return std::none_of(v.begin(), v.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// Headers the server owns: a handler's copy is dropped (framing must stay ours, and the
// ones we always send must not appear twice).
bool reserved_header(std::string_view name, bool cors) {
  return iequal(name, "content-length") || iequal(name, "transfer-encoding") ||
         iequal(name, "connection") || iequal(name, "keep-alive") ||
         iequal(name, "content-type") || iequal(name, "x-request-id") || iequal(name, "date") ||
         (cors && iequal(name, "access-control-allow-origin"));
}

class Session final : public SessionControl, public std::enable_shared_from_this<Session> {
 public:
  Session(Shared& shared, tcp::socket&& socket) : sh_(shared), stream_(std::move(socket)) {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      auto addr = ep.address();
      if (addr.is_v6() && addr.to_v6().is_v4_mapped())
        addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
      remote_ = addr.to_string();
    }
  }

  ~Session() override {
    finish_request();
    if (registered_) sh_.remove_session(registration_);
  }

  void run() {
    registration_ = sh_.add_session(weak_from_this());
    registered_ = true;
    asio::dispatch(stream_.get_executor(),
                   [self = shared_from_this()] { self->wait_for_request(); });
  }

  void close_if_idle() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->state_ == State::idle) self->close();
    });
  }

  void force_close() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

 private:
  enum class State { idle, reading, handling, writing, lingering, closed };
  // What happens to the connection after a response.
  enum class After { keep_alive, close, close_linger };

  void set_deadline(std::chrono::seconds s) {
    if (s.count() > 0)
      stream_.expires_after(s);
    else
      stream_.expires_never();
  }

  // ---- reading -----------------------------------------------------------------------

  // Waits for the first byte of the next request: idle_timeout between requests,
  // read_timeout on a fresh connection.
  void wait_for_request() {
    if (state_ == State::closed) return;
    if (buffer_.size() > 0) {  // pipelined: already here
      begin_request();
      return;
    }
    if (sh_.shutting_down.load()) {
      close();
      return;
    }
    state_ = State::idle;
    if (buffer_.capacity() > 4 * kReadChunk) buffer_.shrink_to_fit();  // idle: give back a big header buffer
    set_deadline(fresh_ ? sh_.opts.read_timeout : sh_.opts.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->on_first_bytes(ec, n);
                            });
  }

  void on_first_bytes(beast::error_code ec, size_t n) {
    if (state_ == State::closed) return;
    if (ec) {  // idle timeout, client closed, reset: nothing to answer
      close();
      return;
    }
    buffer_.commit(n);
    begin_request();
  }

  // The first byte of a request is here: from now on it must arrive within read_timeout.
  void begin_request() {
    state_ = State::reading;
    fresh_ = false;
    started_ = SteadyClock::now();
    sh_.request_begin();
    counted_ = true;
    late_ = sh_.shutting_down.load();
    bytes_in_ = 0;
    head_request_ = false;
    keep_alive_ = false;
    version_ = 11;
    method_ = {};
    raw_path_ = {};
    admission_ = {};
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(sh_.opts.max_header_bytes, std::numeric_limits<uint32_t>::max())));
    // None while the head is read (Beast checks a Content-Length against the limit as soon as
    // it parses it); on_header() sets the route's own before any of the body is read.
    parser_->body_limit(boost::none);
    set_deadline(sh_.opts.read_timeout);  // covers header, 100-continue and body
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t n) {
                               self->on_header(ec, n);
                             });
  }

  // What the handler says of this request (body limit, whether it blocks), from its method and
  // decoded path alone. A path that cannot be decoded or is outside the base path is refused
  // later without a handler: it gets the unrouted limit and never blocks.
  api::Admission admission_for(const bhttp::request<bhttp::string_body>& msg) const {
    std::string_view raw_path, raw_query;
    split_target(sv(msg.target()), raw_path, raw_query);
    std::string path;
    if (!decode_path(raw_path, path) || !strip_base_path(path, sh_.base_path)) return {kUnroutedBodyLimit, false};
    return sh_.handler.admit(sv(msg.method_string()), path);
  }

  void on_header(beast::error_code ec, size_t n) {
    if (state_ == State::closed) return;
    bytes_in_ += n;
    if (ec) return on_read_error(ec);
    admission_ = admission_for(parser_->get());
    if (parser_->is_done()) return on_request();
    auto length = parser_->content_length();
    if (length && *length > admission_.max_body_bytes) return on_read_error(bhttp::error::body_limit);
    parser_->body_limit(static_cast<uint64_t>(admission_.max_body_bytes));  // chunked bodies count as they come
    auto& msg = parser_->get();
    auto expect = msg.find(bhttp::field::expect);
    if (expect != msg.end() && msg.version() >= 11 && beast::iequals(expect->value(), "100-continue")) {
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          if (self->state_ == State::closed) return;
                          if (ec) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t n) {
                        if (self->state_ == State::closed) return;
                        self->bytes_in_ += n;
                        if (ec) return self->on_read_error(ec);
                        self->on_request();
                      });
  }

  void on_read_error(beast::error_code ec) {
    // What was parsed of the request, for the response and the log.
    auto& msg = parser_->get();
    method_ = sv(msg.method_string());
    std::string_view ignored_query;
    split_target(sv(msg.target()), raw_path_, ignored_query);
    set_request_id();
    if (ec == bhttp::error::body_limit)
      return respond_error(ErrorCode::too_large, "request body too large", After::close_linger);
    if (ec == bhttp::error::header_limit)
      return respond_error(ErrorCode::header_too_large, "request header too large", After::close_linger);
    if (&ec.category() == &http_category() && ec != bhttp::error::end_of_stream &&
        ec != bhttp::error::partial_message)
      return respond_error(ErrorCode::bad_request, "malformed request", After::close_linger);
    // Read timeout (slowloris), client gone mid-request, reset: nobody to answer.
    close();
  }

  void set_request_id() {
    auto& msg = parser_->get();
    auto it = msg.find("x-request-id");
    if (it != msg.end() && is_sane_request_id(sv(it->value())))
      req_.request_id.assign(sv(it->value()));
    else
      new_request_id(req_.request_id);
  }

  // ---- translating -------------------------------------------------------------------

  void on_request() {
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    head_request_ = msg.method() == bhttp::verb::head;
    method_ = sv(msg.method_string());
    std::string_view raw_query;
    split_target(sv(msg.target()), raw_path_, raw_query);
    set_request_id();

    if (msg.method() == bhttp::verb::options) {  // CORS preflight, any path: no handler
      res_.status = 204;
      res_.headers.clear();
      res_.user_id.clear();
      res_.body.clear();
      return send(After::keep_alive, /*preflight=*/true);
    }
    if (late_) return respond_error(ErrorCode::unavailable, "server is shutting down", After::close);
    if (!decode_path(raw_path_, req_.path))
      return respond_error(ErrorCode::bad_request, "invalid request path", After::keep_alive);
    if (!strip_base_path(req_.path, sh_.base_path))
      return respond_error(ErrorCode::not_found, "not found", After::keep_alive);
    req_.query.clear();
    if (!decode_query(raw_query, req_.query))
      return respond_error(ErrorCode::bad_request, "invalid query string", After::keep_alive);

    req_.method.assign(method_);
    req_.headers.clear();
    for (const auto& field : msg) {
      std::string name(sv(field.name_string()));
      for (char& c : name)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      auto value = sv(field.value());
      auto [it, inserted] = req_.headers.try_emplace(std::move(name), value);
      if (!inserted) {  // repeated field: combine (RFC 9110 5.3)
        it->second += ", ";
        it->second += value;
      }
    }
    req_.body = std::move(msg.body());
    req_.remote_address.assign(remote_);
    dispatch();
  }

  // ---- handling ----------------------------------------------------------------------

  void dispatch() {
    state_ = State::handling;
    if (!admission_.blocks) {  // quick: answer on this io thread, no hand-off
      call_handler();
      on_handled();
      return;
    }
    asio::post(*sh_.pool, [self = shared_from_this()]() mutable {
      self->call_handler();  // on a handler thread; the io thread does not touch req_/res_ now
      auto ex = self->stream_.get_executor();
      asio::post(ex, [self = std::move(self)] { self->on_handled(); });
    });
  }

  void call_handler() noexcept { res_ = sh_.handler.handle(req_); }  // handle() never throws

  void on_handled() {
    if (state_ == State::closed) return;
    std::string().swap(req_.body);  // do not keep a large body alive on an idle connection
    if (res_.status < 200 || res_.status > 599) {
      spdlog::error("http: handler returned status {} (request_id {})", res_.status,
                    req_.request_id);
      res_ = sh_.handler.refuse(internal_error("invalid status"));
    }
    send(After::keep_alive);
  }

  // ---- writing -----------------------------------------------------------------------

  // An answer of the front door's own, in the handler's error vocabulary and body.
  void respond_error(ErrorCode code, const char* message, After after) {
    res_ = sh_.handler.refuse(Error(code, message));
    api::add_request_id(res_, req_.request_id);
    send(after);
  }

  // Serializes the head of res_ into head_ and writes head_ + body in one gather write.
  void send(After after, bool preflight = false) {
    keep_ = after == After::keep_alive && keep_alive_ && !sh_.shutting_down.load();
    // Closing on a client that may still be sending: drain before closing.
    linger_ = !keep_ && (after == After::close_linger || keep_alive_ || buffer_.size() > 0);
    status_ = res_.status;
    const bool bodiless = status_ == 204 || status_ == 304;
    if (bodiless) res_.body.clear();
    const bool cors = !sh_.opts.cors_origin.empty();

    head_.clear();
    head_ += "HTTP/1.1 ";
    append_number(head_, static_cast<uint64_t>(status_));
    head_ += ' ';
    head_ += reason_phrase(status_);
    head_ += "\r\nDate: ";
    append_http_date(head_);
    head_ += "\r\n";
    if (!bodiless) {
      if (!res_.content_type.empty() && safe_header_value(res_.content_type)) {
        head_ += "Content-Type: ";
        head_ += res_.content_type;
        head_ += "\r\n";
      }
      head_ += "Content-Length: ";
      append_number(head_, res_.body.size());
      head_ += "\r\n";
    }
    head_ += "X-Request-Id: ";
    head_ += req_.request_id;
    head_ += "\r\n";
    if (cors) {
      head_ += "Access-Control-Allow-Origin: ";
      head_ += sh_.opts.cors_origin;
      head_ += "\r\n";
    }
    if (preflight) head_ += preflight_headers();
    for (const auto& [name, value] : res_.headers) {
      if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char) ||
          !safe_header_value(value) || reserved_header(name, cors))
        continue;
      head_ += name;
      head_ += ": ";
      head_ += value;
      head_ += "\r\n";
    }
    if (!keep_)
      head_ += "Connection: close\r\n";
    else if (version_ == 10)
      head_ += "Connection: keep-alive\r\n";
    head_ += "\r\n";

    state_ = State::writing;
    set_deadline(sh_.opts.read_timeout);
    std::array<asio::const_buffer, 2> buffers{
        asio::buffer(head_),
        head_request_ ? asio::const_buffer() : asio::buffer(res_.body)};
    asio::async_write(stream_, buffers,
                      [self = shared_from_this()](beast::error_code ec, size_t n) {
                        self->on_write(ec, n);
                      });
  }

  void on_write(beast::error_code ec, size_t n) {
    if (state_ == State::closed) return;
    account(n);
    finish_request();
    if (res_.body.capacity() > 64 * 1024) std::string().swap(res_.body);
    if (ec) return close();
    if (keep_) return wait_for_request();
    if (linger_) return start_linger();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    close();
  }

  // The request is answered: counted (metrics) and logged.
  void account(size_t bytes_out) {
    auto elapsed = SteadyClock::now() - started_;
    if (sh_.opts.metrics) sh_.opts.metrics->record(admission_.route, status_, bytes_in_, bytes_out, elapsed);
    log_access(bytes_out, elapsed);
  }

  void log_access(size_t bytes_out, SteadyClock::duration elapsed) {
    const auto& log = sh_.access_log;
    if (!log || !log->should_log(spdlog::level::info)) return;
    try {
      thread_local std::string line;
      line.clear();
      AccessRecord r;
      r.request_id = req_.request_id;
      r.method = method_;
      r.path = raw_path_;
      r.route = admission_.route;
      r.user = res_.user_id;
      r.status = status_;
      r.bytes_in = bytes_in_;
      r.bytes_out = bytes_out;
      r.duration_ms = std::chrono::duration<double, std::milli>(elapsed).count();
      r.remote = remote_;
      if (sh_.opts.access_log_text)
        format_access_text(line, r);
      else
        format_access_line(line, r);
      log->log(spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
    } catch (...) {  // logging must not take the connection down
    }
  }

  // ---- closing -----------------------------------------------------------------------

  void start_linger() {
    state_ = State::lingering;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    buffer_.clear();
    set_deadline(std::min(kLingerTime, sh_.opts.read_timeout.count() > 0 ? sh_.opts.read_timeout
                                                                          : kLingerTime));
    linger_read();
  }

  void linger_read() {
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (self->state_ == State::closed) return;
                              if (ec) return self->close();  // client closed, or deadline
                              self->linger_read();
                            });
  }

  void finish_request() {
    if (counted_) {
      counted_ = false;
      sh_.request_end();
    }
  }

  void close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    finish_request();
    stream_.close();  // cancels pending operations and the deadline timer
  }

  Shared& sh_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  Shared::Registry::iterator registration_;
  bool registered_ = false;

  State state_ = State::idle;
  bool fresh_ = true;     // no request yet on this connection
  bool counted_ = false;  // counted in Shared::busy
  bool late_ = false;     // request began after shutdown started
  bool keep_alive_ = false;
  bool head_request_ = false;
  bool keep_ = false;
  bool linger_ = false;
  unsigned version_ = 11;
  int status_ = 0;
  size_t bytes_in_ = 0;
  SteadyClock::time_point started_;
  std::string_view method_;    // views into the parser's message, valid until the next request
  std::string_view raw_path_;  // raw path, no query: what the access log shows

  api::Admission admission_;
  api::Request req_;
  api::Response res_;
  std::string head_;
};

}  // namespace

void start_session(Shared& shared, tcp::socket socket) {
  std::make_shared<Session>(shared, std::move(socket))->run();
}

}  // namespace k9::http::detail
