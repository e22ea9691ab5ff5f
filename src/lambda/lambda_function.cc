#include "lambda/lambda_function.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include "api/responses.h"
#include "core/error.h"
#include "core/json.h"
#include "lambda/proxy_event.h"

namespace k9::lambda {

namespace json = boost::json;
using std::chrono::system_clock;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(system_clock::now().time_since_epoch()).count();
}

Outcome bad_event(const std::string& message) { return Outcome{false, {}, "K9.BadEvent", message}; }

}  // namespace

LambdaFunction::LambdaFunction(api::Handler& handler, LambdaOptions options)
    : handler_(handler), options_(std::move(options)) {}

Outcome LambdaFunction::invoke(const Invocation& inv) noexcept {
  try {
    return invoke_checked(inv);
  } catch (const Error& e) {
    return bad_event(e.message());
  } catch (const std::exception& e) {
    return Outcome{false, {}, "K9.InternalError", e.what()};
  } catch (...) {
    return Outcome{false, {}, "K9.InternalError", "unknown exception"};
  }
}

// Runs the handler on its own thread and waits until `margin` before the deadline. A route that
// never waits (api/handler.h) runs here instead: no thread to start, nothing to outlast.
api::Response LambdaFunction::handle_before(const api::Request& request, int64_t deadline_ms, bool may_block) {
  auto busy = [] { return api::error_response(Error(ErrorCode::unavailable, "The request could not finish within the function's time limit; try again", 1)); };
  if (deadline_ms <= 0) return handler_.handle(request);  // no deadline given
  int64_t left = deadline_ms - now_ms() - options_.margin.count();
  if (left <= 0) return busy();
  if (!may_block) return handler_.handle(request);
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    api::Response response;
  };
  auto state = std::make_shared<State>();
  std::thread([state, &handler = handler_, request] {
    api::Response r = handler.handle(request);
    std::lock_guard lock(state->mu);
    state->response = std::move(r);
    state->done = true;
    state->cv.notify_all();
  }).detach();
  std::unique_lock lock(state->mu);
  if (!state->cv.wait_for(lock, std::chrono::milliseconds(left), [&] { return state->done; })) {
    spdlog::warn("{} {}: no answer {} ms before the deadline; answered 503", request.method, request.path,
                 options_.margin.count());
    return busy();
  }
  return std::move(state->response);
}

Outcome LambdaFunction::invoke_checked(const Invocation& inv) {
  json::value parsed;
  try {
    parsed = parse_json(inv.event);
  } catch (const std::exception&) {
    return bad_event("the event is not JSON");
  }
  if (!parsed.is_object()) return bad_event("the event is not a JSON object");
  const auto& event = parsed.as_object();
  if (!inv.trace_id.empty()) ::setenv("_X_AMZN_TRACE_ID", inv.trace_id.c_str(), 1);

  if (!is_proxy_event(event)) {
    auto* k9 = event.if_contains("k9");
    if (k9 && k9->is_object() && options_.task) {
      auto* task = k9->as_object().if_contains("task");
      if (task && task->is_string()) {
        auto deadline = inv.deadline_ms > 0 ? system_clock::time_point(std::chrono::milliseconds(inv.deadline_ms)) -
                                                  options_.margin
                                            : system_clock::now() + std::chrono::minutes(1);
        return Outcome{true, json::serialize(options_.task(std::string(task->as_string()), deadline)), {}, {}};
      }
    }
    return bad_event("the event is neither an API Gateway proxy event nor one of K9's own");
  }

  auto started = std::chrono::steady_clock::now();
  ProxyRequest p = decode_proxy_event(event, options_.base_path);
  api::Request& req = p.request;
  if (req.request_id.empty()) req.request_id = inv.request_id;
  if (!inv.trace_id.empty() && !req.headers.contains("x-amzn-trace-id")) req.headers["x-amzn-trace-id"] = inv.trace_id;
  api::Response res;
  std::string_view route;
  if (p.preflight) {
    res.status = 204;
    res.content_type.clear();
  } else {
    auto admission = handler_.admit(req.method, req.path);
    route = admission.route;
    if (req.body.size() > admission.max_body_bytes)
      res = handler_.refuse(Error(ErrorCode::too_large, "request body too large"));
    else
      res = handle_before(req, inv.deadline_ms, admission.blocks);
  }
  std::string payload = encode_proxy_response(res, p.version, req.request_id, options_.cors_origin, p.preflight);
  if (payload.size() > options_.max_payload_bytes) {
    api::Response redirect;
    if (options_.spill) {
      std::string url = options_.spill(res, req.request_id);
      redirect = api::json_response(303, json::object{{"message", "The answer is too large for Lambda; GET it from location"},
                                                      {"location", url}});
      redirect.headers.emplace_back("Location", url);
    } else {
      redirect = handler_.refuse(Error(ErrorCode::too_large, "The answer is too large for Lambda to return"));
    }
    res = std::move(redirect);
    payload = encode_proxy_response(res, p.version, req.request_id, options_.cors_origin);
  }
  if (options_.observe)
    options_.observe(route, res.status,
                     std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
  return Outcome{true, std::move(payload), {}, {}};
}

}  // namespace k9::lambda
