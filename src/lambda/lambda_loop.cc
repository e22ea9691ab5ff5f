#include "lambda/lambda_loop.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "core/error.h"

namespace k9::lambda {

int run_loop(RuntimeClient& client, LambdaFunction& function) noexcept {
  for (;;) {
    Invocation inv;
    try {
      inv = client.next();
    } catch (const std::exception& e) {
      try {
        spdlog::error("lambda: {}", e.what());
      } catch (...) {
      }
      return 1;
    }
    Outcome out = function.invoke(inv);
    try {
      if (out.ok) {
        try {
          client.respond(inv.request_id, out.payload);
        } catch (const Error& e) {  // refused (too large, say): tell the caller why, never silence
          client.fail(inv.request_id, "K9.ResponseRefused", e.what());
        }
      } else {
        spdlog::warn("lambda: invocation {} failed: {}: {}", inv.request_id, out.error_type, out.error_message);
        client.fail(inv.request_id, out.error_type, out.error_message);
      }
    } catch (const std::exception& e) {
      try {
        spdlog::error("lambda: invocation {} not settled: {}", inv.request_id, e.what());
      } catch (...) {
      }
    }
  }
}

std::string emf_line(std::string_view route, int status, std::chrono::microseconds duration, int64_t unix_ms) {
  namespace json = boost::json;
  std::string r = route.empty() ? "unmatched" : std::string(route);
  json::object o{
      {"_aws",
       json::object{{"Timestamp", unix_ms},
                    {"CloudWatchMetrics",
                     json::array{json::object{{"Namespace", "K9"},
                                              {"Dimensions", json::array{json::array{"Route"}}},
                                              {"Metrics", json::array{json::object{{"Name", "Latency"}, {"Unit", "Milliseconds"}},
                                                                      json::object{{"Name", "Errors5xx"}, {"Unit", "Count"}},
                                                                      json::object{{"Name", "Errors4xx"}, {"Unit", "Count"}}}}}}}}},
      {"Route", r},
      {"Latency", double(duration.count()) / 1000.0},
      {"Errors5xx", status >= 500 ? 1 : 0},
      {"Errors4xx", status >= 400 && status < 500 ? 1 : 0},
      {"Status", status}};
  return json::serialize(o);
}

}  // namespace k9::lambda
