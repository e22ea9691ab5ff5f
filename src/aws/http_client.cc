#include "aws/http_client.h"

#include <algorithm>
#include <cctype>

#include "aws/http_connection.h"
#include "aws/url_parts.h"
#include "core/error.h"

namespace k9::aws {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

const std::string* HttpRequest::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (iequals(k, name)) return &v;
  return nullptr;
}

void HttpRequest::set_header(std::string name, std::string value) {
  std::erase_if(headers, [&](auto& h) { return iequals(h.first, name); });
  headers.emplace_back(std::move(name), std::move(value));
}

const std::string* HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? nullptr : &it->second;
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  if (options_.ca_bundle.empty()) options_.ca_bundle = system_ca_bundle();
}

HttpClient::~HttpClient() = default;

std::unique_ptr<HttpConnection> HttpClient::take_idle(const std::string& origin_key) {
  for (;;) {
    std::unique_ptr<HttpConnection> connection;
    {
      std::lock_guard lock(mu_);
      auto it = std::find_if(idle_.rbegin(), idle_.rend(), [&](auto& c) { return c->origin_key() == origin_key; });
      if (it == idle_.rend()) return nullptr;
      connection = std::move(*it);
      idle_.erase(std::next(it).base());
    }
    if (connection->reusable()) return connection;
    // Closed by the server while idle: dropped, outside the lock.
  }
}

void HttpClient::keep(std::unique_ptr<HttpConnection> connection) {
  if (options_.max_idle_connections == 0 || !connection->reusable()) return;
  std::unique_ptr<HttpConnection> dropped;  // closed after the lock is released
  std::lock_guard lock(mu_);
  if (idle_.size() >= options_.max_idle_connections) {
    dropped = std::move(idle_.front());
    idle_.erase(idle_.begin());
  }
  idle_.push_back(std::move(connection));
}

HttpResult HttpClient::send(const HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  const Deadline deadline = start + request.total_timeout.value_or(options_.total_timeout);
  auto error = [&](HttpErrorKind kind, const std::string& what, int sends) {
    return HttpError{kind, what + " (" + request.method + " " + request.url + ")", sends};
  };
  const UrlParts url = split_url(request.url);
  const std::optional<Origin> origin = Origin::of(url);
  if (!origin) return error(HttpErrorKind::bad_request, "not an http:// or https:// URL", 0);

  int sends = 0;
  bool resending = false;  // on a new connection, after a reused one died
  for (;;) {
    std::unique_ptr<HttpConnection> connection = resending ? nullptr : take_idle(origin->key());
    const bool reused = connection != nullptr;
    if (!connection) {
      std::shared_ptr<boost::asio::ssl::context> tls;
      if (origin->tls) {
        try {
          tls = tls_client_context(options_.ca_bundle);
        } catch (const Error& e) {
          return error(HttpErrorKind::tls, e.what(), sends);
        }
      }
      Failure failure;
      const Deadline connect_by = std::min(deadline, std::chrono::steady_clock::now() + options_.connect_timeout);
      connection = HttpConnection::open(*origin, std::move(tls), connect_by, failure);
      if (!connection) return error(failure.kind, failure.message, sends);
    }
    HttpResponse response;
    std::optional<Failure> failure = connection->exchange(request, url.target(), url.authority, response, deadline);
    if (!failure) {
      response.sends = sends + 1;
      keep(std::move(connection));
      return response;
    }
    if (failure->sent) ++sends;
    // The server closed a kept-alive connection as the request went out: once more, on a new one.
    if (reused && !failure->answered && failure->kind == HttpErrorKind::connection_lost) {
      resending = true;
      continue;
    }
    return error(failure->kind, failure->message, sends);
  }
}

}  // namespace k9::aws
