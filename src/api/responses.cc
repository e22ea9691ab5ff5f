#include "api/responses.h"

#include "core/json.h"

namespace k9::api {

namespace json = boost::json;

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request: return 400;
    case ErrorCode::unauthorized: return 401;
    case ErrorCode::forbidden: return 403;
    case ErrorCode::not_found: return 404;
    case ErrorCode::method_not_allowed: return 405;
    case ErrorCode::conflict: return 409;
    case ErrorCode::gone: return 410;
    case ErrorCode::too_large: return 413;
    case ErrorCode::unsupported_media: return 415;
    case ErrorCode::header_too_large: return 431;
    case ErrorCode::too_many_requests: return 429;
    case ErrorCode::unavailable: return 503;
    case ErrorCode::internal: return 500;
  }
  return 500;
}

Response json_response(int status, const json::value& v) {
  Response r;
  r.status = status;
  r.body = to_json_text(v);
  return r;
}

Response error_response(const Error& e) {
  json::object body{{"message", e.message()}, {"code", error_code_name(e.code())}};
  if (!e.field().empty()) body["field"] = e.field();
  Response r = json_response(http_status(e.code()), body);
  if (e.retry_after() > 0) r.headers.emplace_back("Retry-After", std::to_string(e.retry_after()));
  return r;
}

void add_request_id(Response& r, std::string_view request_id) {
  constexpr std::string_view kErrorStart = R"({"message":)";
  if (r.status < 400 || request_id.empty() || r.content_type != "application/json" || r.body.size() < 2 ||
      !r.body.starts_with(kErrorStart) || r.body.back() != '}')
    return;
  r.body.pop_back();
  r.body += ",\"requestId\":";
  r.body += json::serialize(json::string(request_id));
  r.body += '}';
}

Response error_response(ErrorCode code, const std::string& message, int retry_after) {
  return error_response(Error(code, message, retry_after));
}

}  // namespace k9::api
