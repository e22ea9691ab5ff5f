#include "http/metrics_endpoint.h"

#include "api/responses.h"

namespace k9::http {

api::Admission MetricsEndpoint::admit(std::string_view method, std::string_view path) const noexcept {
  // A scrape reads gauges that may ask the store (the job queue's depth): off the io thread.
  return api::Admission{64 * 1024, true, path == "/metrics" ? std::string_view("metrics") : std::string_view()};
}

api::Response MetricsEndpoint::handle(const api::Request& request) noexcept {
  try {
    if (request.path != "/metrics") return api::error_response(ErrorCode::not_found, "Only /metrics here");
    if (request.method != "GET" && request.method != "HEAD") {
      auto r = api::error_response(ErrorCode::method_not_allowed, "GET /metrics");
      r.headers.emplace_back("Allow", "GET, HEAD");
      return r;
    }
    api::Response r;
    r.body = registry_.scrape();
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  } catch (const std::exception& e) {
    return refuse(internal_error(e.what()));
  }
}

api::Response MetricsEndpoint::refuse(const Error& error) const noexcept {
  try {
    return api::error_response(error);
  } catch (...) {
    api::Response r;
    r.status = 500;
    r.body = R"({"message":"internal error","code":"InternalError"})";
    return r;
  }
}

}  // namespace k9::http
