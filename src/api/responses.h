// The answers every route and front door shares: a JSON body, and the error body
// {"message", "code"[, "field"]} whose status comes from the one mapping of ErrorCode to HTTP.
#pragma once
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "api/handler.h"
#include "core/error.h"

namespace k9::api {

// The HTTP status of an error code: the one place this mapping lives.
int http_status(ErrorCode code);

// A JSON answer with `status`.
Response json_response(int status, const boost::json::value& v);
// The error body of `e`: its message (never its detail), code, field when it names one, and
// Retry-After when it has a hint.
Response error_response(const Error& e);
// Adds "requestId" to an error body ({"message":..., "code":...}) so a user can quote it; any
// other answer is left as it is.
void add_request_id(Response& r, std::string_view request_id);
Response error_response(ErrorCode code, const std::string& message, int retry_after = 0);

}  // namespace k9::api
