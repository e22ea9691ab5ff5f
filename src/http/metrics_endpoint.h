// The handler of the metrics port (`k9 serve --metrics-port`): GET /metrics answers the
// registry's Prometheus text exposition; anything else is a JSON 404 (405 for another method).
// Served by its own http::Server, bound to loopback by default, so the public port never
// answers /metrics.
#pragma once
#include "api/handler.h"
#include "metrics/metrics.h"

namespace k9::http {

class MetricsEndpoint final : public api::Handler {
 public:
  explicit MetricsEndpoint(const metrics::Registry& registry) : registry_(registry) {}
  api::Admission admit(std::string_view method, std::string_view path) const noexcept override;
  api::Response handle(const api::Request& request) noexcept override;
  api::Response refuse(const Error& error) const noexcept override;

 private:
  const metrics::Registry& registry_;
};

}  // namespace k9::http
