#include "identity/cognito/http_call.h"

#include "core/error.h"

namespace k9::identity::cognito {

HttpReply http_call(aws::HttpClient& client, const HttpCall& call) {
  aws::HttpRequest request;
  request.method = call.method;
  request.url = call.url;
  request.headers = call.headers;
  request.body = call.body;
  std::string body;
  bool overflow = false;
  request.body_sink = [&](std::string_view chunk) {  // 2xx bodies: stopped at the limit
    overflow = body.size() + chunk.size() > call.max_body;
    if (!overflow) body.append(chunk);
    return !overflow;
  };
  aws::HttpResult result = client.send(request);
  if (overflow || (result.ok() && result.response().body.size() > call.max_body))
    throw Error(ErrorCode::unavailable, "answer from " + call.url + " is too large", 2);
  if (!result.ok()) throw Error(ErrorCode::unavailable, "cannot reach " + call.url + ": " + result.error().message, 2);
  const aws::HttpResponse& response = result.response();
  return {response.status, response.status >= 200 && response.status < 300 ? std::move(body) : response.body};
}

}  // namespace k9::identity::cognito
