// API Gateway proxy events (REST API payload 1.0, HTTP API payload 2.0) to api::Request, and
// api::Response to the proxy answer of the same version: what `k9 lambda` does around the one
// route table that `k9 serve` also drives.
//
// Contract:
//  - decode_proxy_event() takes the method, the path (percent-decoded; the stage prefix and the
//    configured base path stripped), query parameters (a repeated name: the last value wins,
//    as in the HTTP server), headers (lower-case names; repeated values joined with ", ";
//    payload 2.0 cookies become one `cookie` header), the body (base64-decoded when
//    isBase64Encoded), the caller's address and the request id. Claims of an API Gateway
//    authorizer are ignored: the token in Authorization is verified by K9 itself.
//  - It throws k9::Error(bad_request) for an event that is not a proxy event, or whose path,
//    body or encoding is malformed; such an event never reaches a handler.
//  - encode_proxy_response() writes statusCode, headers (Content-Type, X-Request-Id, CORS
//    origin, the handler's), and the body: as text when it is JSON or text in valid UTF-8,
//    else base64 with isBase64Encoded (images, ZIPs).
#pragma once
#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "api/handler.h"

namespace k9::lambda {

enum class PayloadVersion { rest_v1, http_v2 };

struct ProxyRequest {
  PayloadVersion version = PayloadVersion::rest_v1;
  bool preflight = false;  // OPTIONS: answered with the CORS policy, no handler
  api::Request request;
};

// True when the event has the shape of an API Gateway proxy event (either version).
bool is_proxy_event(const boost::json::object& event);

// `base_path`: "" or "/prod" (K9_BASE_PATH), stripped when the path starts with it.
ProxyRequest decode_proxy_event(const boost::json::object& event, std::string_view base_path);

// The proxy answer, as JSON text. `cors_origin` empty: no CORS headers.
std::string encode_proxy_response(const api::Response& response, PayloadVersion version,
                                  const std::string& request_id, const std::string& cors_origin,
                                  bool preflight = false);

}  // namespace k9::lambda
