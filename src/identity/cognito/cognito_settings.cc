#include "identity/cognito/cognito_settings.h"

#include "core/error.h"

namespace k9::identity::cognito {

CognitoSettings CognitoSettings::from_env(const std::function<const char*(const char*)>& getenv) {
  auto var = [&](const char* name) {
    const char* v = getenv(name);
    return v ? std::string(v) : std::string();
  };
  CognitoSettings s;
  s.user_pool_id = var("COGNITO_USER_POOL_ID");
  s.client_id = var("COGNITO_CLIENT_ID");
  s.client_secret = var("COGNITO_CLIENT_SECRET");
  if (s.user_pool_id.empty()) throw bad_request("COGNITO_USER_POOL_ID is required with --auth cognito");
  if (s.client_id.empty()) throw bad_request("COGNITO_CLIENT_ID is required with --auth cognito");
  s.region = var("AWS_REGION");
  if (s.region.empty()) s.region = var("AWS_DEFAULT_REGION");
  if (s.region.empty()) {
    auto underscore = s.user_pool_id.find('_');
    if (underscore != std::string::npos) s.region = s.user_pool_id.substr(0, underscore);
  }
  s.issuer = var("K9_COGNITO_ISSUER");
  s.endpoint = var("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER");
  if (s.region.empty() && (s.issuer.empty() || s.endpoint.empty()))
    throw bad_request("AWS_REGION is required with --auth cognito");
  if (s.issuer.empty()) s.issuer = "https://cognito-idp." + s.region + ".amazonaws.com/" + s.user_pool_id;
  while (s.issuer.ends_with('/')) s.issuer.pop_back();
  if (!s.issuer.starts_with("https://") && !s.issuer.starts_with("http://"))
    throw bad_request("K9_COGNITO_ISSUER must be an http(s) URL");
  if (s.endpoint.empty()) s.endpoint = "https://cognito-idp." + s.region + ".amazonaws.com/";
  return s;
}

}  // namespace k9::identity::cognito
