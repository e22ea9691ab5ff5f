// The small parts of the Cognito module: JWKS parsing, SECRET_HASH, error mapping, settings.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <map>

#include "identity/cognito/cognito_errors.h"
#include "identity/cognito/cognito_settings.h"
#include "identity/cognito/jwks.h"
#include "identity/cognito/test_pool.h"

namespace k9::identity::cognito {
namespace {

namespace json = boost::json;
using local::KeyStore;

TEST(Jwks, KeepsOnlyRs256SigningKeysOfAtLeast2048Bits) {
  local::PkeyPtr key = KeyStore::generate_rsa_key();
  local::PkeyPtr small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)));
  json::object good = testing::jwk_of(key.get(), "good");
  json::object enc = good, hs = good, ec = good, nokid = good, bad_n = good;
  enc["kid"] = "enc";
  enc["use"] = "enc";
  hs["kid"] = "hs";
  hs["alg"] = "HS256";
  ec["kid"] = "ec";
  ec["kty"] = "EC";
  nokid.erase("kid");
  bad_n["kid"] = "bad-n";
  bad_n["n"] = "AQAB=";
  json::object bare = good;  // alg and use are optional
  bare["kid"] = "bare";
  bare.erase("alg");
  bare.erase("use");
  json::array keys{good, enc, hs, ec, nokid, bad_n, bare, testing::jwk_of(small.get(), "short"), 42, "x"};
  KeySet set = parse_jwks(json::serialize(json::object{{"keys", keys}}));
  std::vector<std::string> kids;
  for (auto& [kid, _] : set) kids.push_back(kid);
  EXPECT_EQ(kids, (std::vector<std::string>{"bare", "good"}));
  EXPECT_EQ(KeyStore::kid_of(set.at("good").get()), KeyStore::kid_of(key.get()));  // the same public key
}

TEST(Jwks, MalformedDocumentsAreBackendFaults) {
  for (const char* text : {"", "[]", "{}", R"({"keys":{}})", "not json"}) {
    try {
      parse_jwks(text);
      ADD_FAILURE() << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::unavailable) << text;
    }
  }
  EXPECT_TRUE(parse_jwks(R"({"keys":[]})").empty());
}

TEST(SecretHash, IsBase64OfHmacSha256OfUsernameAndClientId) {
  // Checked against libsodium's HMAC-SHA256, an independent implementation.
  std::string key = "client-secret-0123456789", msg = std::string("alice") + "client-1";
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
  crypto_auth_hmacsha256_final(&st, mac);
  EXPECT_EQ(secret_hash("alice", "client-1", key), base64_encode(std::string_view(reinterpret_cast<char*>(mac), sizeof mac)));
  EXPECT_EQ(secret_hash("alice", "client-1", key).size(), 44u);
  EXPECT_NE(secret_hash("alicf", "client-1", key), secret_hash("alice", "client-1", key));
}

struct Mapped {
  ErrorCode code;
  std::string message;
  int retry_after;
};
Mapped map(const std::string& type, const std::string& message, Flow flow) {
  Error e = map_cognito_error(CognitoError(type, message, 400), flow);
  return {e.code(), e.what(), e.retry_after()};
}

TEST(CognitoErrors, MapToSpecStatusesWithoutTellingWhichUsersExist) {
  auto wrong_password = map("NotAuthorizedException", "Incorrect username or password.", Flow::login);
  auto no_user = map("UserNotFoundException", "User does not exist.", Flow::login);
  EXPECT_EQ(wrong_password.code, ErrorCode::unauthorized);
  EXPECT_EQ(no_user.code, ErrorCode::unauthorized);
  EXPECT_EQ(no_user.message, wrong_password.message);
  EXPECT_EQ(map("InvalidPasswordException", "Invalid password", Flow::login).message, wrong_password.message);

  auto weak = map("InvalidPasswordException", "Password does not conform to policy: Password not long enough",
                  Flow::new_password);
  EXPECT_EQ(weak.code, ErrorCode::bad_request);
  EXPECT_THAT(weak.message, ::testing::HasSubstr("Password not long enough"));
  EXPECT_EQ(map("NotAuthorizedException", "Invalid session for the user, session is expired.", Flow::new_password).code,
            ErrorCode::gone);
  EXPECT_EQ(map("ExpiredCodeException", "Invalid code provided", Flow::new_password).code, ErrorCode::gone);
  EXPECT_EQ(map("NotAuthorizedException", "Invalid session for the user.", Flow::new_password).code,
            ErrorCode::unauthorized);
  EXPECT_EQ(map("CodeMismatchException", "Invalid session", Flow::new_password).code, ErrorCode::unauthorized);
  EXPECT_EQ(map("NotAuthorizedException", "Refresh Token has been revoked", Flow::refresh).message,
            "Refresh Token has been revoked");
  EXPECT_EQ(map("PasswordResetRequiredException", "Password reset required", Flow::login).code, ErrorCode::unauthorized);
  EXPECT_EQ(map("InvalidParameterException", "Missing required parameter USERNAME", Flow::login).code,
            ErrorCode::bad_request);

  auto throttled = map("TooManyRequestsException", "Rate exceeded", Flow::login);
  EXPECT_EQ(throttled.code, ErrorCode::too_many_requests);
  EXPECT_EQ(throttled.retry_after, 5);
  EXPECT_EQ(map("LimitExceededException", "x", Flow::refresh).code, ErrorCode::too_many_requests);
  auto other = map("InternalErrorException", "boom", Flow::login);
  EXPECT_EQ(other.code, ErrorCode::unavailable);
  EXPECT_EQ(other.retry_after, 5);
  EXPECT_EQ(map("ResourceNotFoundException", "User pool client does not exist.", Flow::login).code,
            ErrorCode::unavailable);
}

TEST(CognitoSettings, FromTheEnvironment) {
  std::map<std::string, std::string> env{{"COGNITO_USER_POOL_ID", "eu-west-1_AbC123"}, {"COGNITO_CLIENT_ID", "c1"}};
  auto getenv = [&](const char* n) -> const char* {
    auto it = env.find(n);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  auto s = CognitoSettings::from_env(getenv);
  EXPECT_EQ(s.region, "eu-west-1");  // from the pool id
  EXPECT_EQ(s.issuer, "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123");
  EXPECT_EQ(s.jwks_url(), "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json");
  EXPECT_EQ(s.endpoint, "https://cognito-idp.eu-west-1.amazonaws.com/");
  EXPECT_TRUE(s.client_secret.empty());
  env["AWS_REGION"] = "us-east-2";
  env["K9_COGNITO_ISSUER"] = "http://127.0.0.1:9229/local_pool/";
  env["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] = "http://127.0.0.1:9229";
  env["COGNITO_CLIENT_SECRET"] = "s3";
  s = CognitoSettings::from_env(getenv);
  EXPECT_EQ(s.issuer, "http://127.0.0.1:9229/local_pool");
  EXPECT_EQ(s.endpoint, "http://127.0.0.1:9229");
  EXPECT_EQ(s.client_secret, "s3");
  env.erase("COGNITO_CLIENT_ID");
  EXPECT_THROW(
      {
        try {
          CognitoSettings::from_env(getenv);
        } catch (const Error& e) {
          EXPECT_EQ(e.code(), ErrorCode::bad_request);
          EXPECT_THAT(e.what(), ::testing::HasSubstr("COGNITO_CLIENT_ID"));
          throw;
        }
      },
      Error);
}

}  // namespace
}  // namespace k9::identity::cognito
