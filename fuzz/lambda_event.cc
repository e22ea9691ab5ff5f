// API Gateway proxy events as Lambda hands them to `k9 lambda`: any bytes, parsed as JSON, then
// decoded as a proxy event. Nothing may crash; a decoded request keeps the contract the routes
// rely on (a path that starts with '/' and holds no NUL, an upper-case method), and the answer
// encodes back into JSON.
#include <boost/json.hpp>

#include "core/error.h"
#include "core/json.h"
#include "fuzz_support.h"
#include "lambda/proxy_event.h"

using namespace k9;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::as_text(data, size);
  boost::json::value v;
  try {
    v = parse_json(std::string(text));
  } catch (const std::exception&) {
    return 0;
  }
  if (!v.is_object()) return 0;
  try {
    auto p = lambda::decode_proxy_event(v.as_object(), "/prod");
    const auto& r = p.request;
    fuzz::check(!r.path.empty() && r.path.front() == '/', "decoded path without a leading '/':", r.path);
    fuzz::check(r.path.find('\0') == std::string::npos, "decoded path with a NUL");
    for (char c : r.method) fuzz::check(!(c >= 'a' && c <= 'z'), "method not upper-case:", r.method);
    api::Response res;
    res.body = r.body;
    res.content_type = r.headers.count("content-type") ? r.headers.at("content-type") : "application/octet-stream";
    auto out = lambda::encode_proxy_response(res, p.version, r.request_id, "*");
    auto back = boost::json::parse(out);
    fuzz::check(back.is_object() && back.as_object().contains("statusCode"), "an answer without statusCode");
  } catch (const Error& e) {
    fuzz::check(e.code() == ErrorCode::bad_request, "not a bad_request:", e.what());
  }
  return 0;
}
