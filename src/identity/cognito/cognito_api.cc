#include "identity/cognito/cognito_api.h"

#include <openssl/evp.h>

#include <boost/json.hpp>

#include "core/encoding.h"
#include "core/error.h"
#include "identity/cognito/http_call.h"
#include "identity/local/openssl_util.h"

namespace k9::identity::cognito {

namespace json = boost::json;

CognitoApi::CognitoApi(std::string endpoint_url, std::chrono::milliseconds timeout) : endpoint_(std::move(endpoint_url)) {
  aws::HttpClientOptions options;
  options.connect_timeout = options.total_timeout = timeout;
  http_ = std::make_shared<aws::HttpClient>(options);
}

json::object CognitoApi::call(std::string_view operation, const json::object& request) const {
  HttpCall http{.method = "POST",
                .url = endpoint_,
                .headers = {{"Content-Type", "application/x-amz-json-1.1"},
                            {"X-Amz-Target", "AWSCognitoIdentityProviderService." + std::string(operation)}},
                .body = json::serialize(request)};
  HttpReply reply = http_call(*http_, http);
  std::error_code ec;
  json::value body = json::parse(reply.body, ec);
  const json::object* o = !ec && body.is_object() ? &body.as_object() : nullptr;
  if (reply.status >= 200 && reply.status < 300 && o) return *o;
  if (reply.status >= 400 && reply.status < 500 && o && o->contains("__type")) {
    std::string type = o->at("__type").is_string() ? std::string(o->at("__type").as_string()) : "";
    if (auto hash = type.rfind('#'); hash != std::string::npos) type = type.substr(hash + 1);
    const json::value* m = o->if_contains("message");
    if (!m) m = o->if_contains("Message");
    throw CognitoError(type, m && m->is_string() ? std::string(m->as_string()) : type, reply.status);
  }
  throw Error(ErrorCode::unavailable,
              "Cognito " + std::string(operation) + " answered HTTP " + std::to_string(reply.status), 2);
}

std::string secret_hash(std::string_view username, std::string_view client_id, std::string_view client_secret) {
  std::string message = std::string(username) + std::string(client_id);
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, client_secret.data(), client_secret.size(),
                 reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, sizeof out, &len))
    local::throw_openssl("HMAC-SHA256");
  return base64_encode(std::string_view(reinterpret_cast<const char*>(out), len));
}

}  // namespace k9::identity::cognito
