#include "identity/local/jwt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <boost/json.hpp>

#include "core/error.h"
#include "identity/local/test_support.h"
#include "testing/base/fake_clock.h"
#include "testing/base/temp_dir.h"

namespace k9::identity::local {
namespace {

namespace json = boost::json;
using testkit::FakeClock;
using testing::b64;
using testing::rs256_token;
using testkit::TempDir;

class JwtTest : public ::testing::Test {
 protected:
  // RSA key generation is slow: one key folder for the whole suite.
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    keys_ = new KeyStore(dir_->path());
  }
  static void TearDownTestSuite() {
    delete keys_;
    delete dir_;
  }

  json::object claims() const {
    return {{"sub", "u-1"}, {"iss", "k9-local"}, {"token_use", "id"}, {"iat", clock_.seconds()},
            {"exp", clock_.seconds() + 3600}};
  }
  json::object header() const { return {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", keys_->current()->kid}}; }
  std::string good() const { return sign_jwt(*keys_->current(), claims()); }

  json::object verify(std::string_view token) const { return verify_jwt(token, *keys_, JwtRules{"k9-local", &clock_}); }

  // Asserts verify() refuses `token` as unauthorized with a message containing `message`.
  void expect_rejected(std::string_view token, const std::string& message) const {
    try {
      verify(token);
      ADD_FAILURE() << "accepted: " << token.substr(0, 200);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::unauthorized) << e.what();
      EXPECT_THAT(e.what(), ::testing::HasSubstr(message));
    }
  }

  static TempDir* dir_;
  static KeyStore* keys_;
  FakeClock clock_;
};
TempDir* JwtTest::dir_ = nullptr;
KeyStore* JwtTest::keys_ = nullptr;

TEST_F(JwtTest, SignedTokenVerifiesAndAnswersClaims) {
  std::string token = good();
  auto header_text = base64url_decode(token.substr(0, token.find('.')));
  ASSERT_TRUE(header_text);
  EXPECT_EQ(json::parse(*header_text), json::parse(R"({"alg":"RS256","typ":"JWT","kid":")" + keys_->current()->kid + "\"}"));
  auto c = verify(token);
  EXPECT_EQ(c.at("sub").as_string(), "u-1");
  EXPECT_EQ(c.at("exp").as_int64(), clock_.seconds() + 3600);
}

TEST_F(JwtTest, AcceptsAccessTokensAndSmallClockSkew) {
  auto c = claims();
  c["token_use"] = "access";
  c["iat"] = clock_.seconds() + 60;
  c["nbf"] = clock_.seconds() + 60;
  EXPECT_NO_THROW(verify(sign_jwt(*keys_->current(), c)));
}

TEST_F(JwtTest, RefusesAlgNone) {
  json::object h{{"alg", "none"}, {"typ", "JWT"}, {"kid", keys_->current()->kid}};
  expect_rejected(b64(h) + "." + b64(claims()) + ".", "empty segment");
  expect_rejected(b64(h) + "." + b64(claims()) + "." + base64url_encode("x"), "unsupported token algorithm");
  h["alg"] = "None";
  expect_rejected(b64(h) + "." + b64(claims()) + "." + base64url_encode("x"), "unsupported token algorithm");
}

TEST_F(JwtTest, RefusesHs256WithThePublicKeyAsSecret) {
  // The classic confusion attack: HMAC keyed with the (public) RSA key.
  BioPtr bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio.get(), keys_->current()->pkey.get()), 1);
  char* pem = nullptr;
  long pem_len = BIO_get_mem_data(bio.get(), &pem);
  json::object h{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", keys_->current()->kid}};
  std::string input = b64(h) + "." + b64(claims());
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t mac_len = 0;
  ASSERT_TRUE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, pem, static_cast<size_t>(pem_len),
                        reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, sizeof mac, &mac_len));
  expect_rejected(input + "." + base64url_encode(std::string_view(reinterpret_cast<char*>(mac), mac_len)),
                  "unsupported token algorithm");
}

TEST_F(JwtTest, RefusesOtherAlgorithmsAndHeaders) {
  for (const char* alg : {"RS384", "RS512", "PS256", "ES256", "rs256", ""}) {
    json::object h{{"alg", alg}, {"kid", keys_->current()->kid}};
    expect_rejected(rs256_token(keys_->current()->pkey.get(), h, claims()), "unsupported token algorithm");
  }
  json::object no_alg{{"kid", keys_->current()->kid}};
  expect_rejected(rs256_token(keys_->current()->pkey.get(), no_alg, claims()), "unsupported token algorithm");
  json::object numeric_alg{{"alg", 256}, {"kid", keys_->current()->kid}};
  expect_rejected(rs256_token(keys_->current()->pkey.get(), numeric_alg, claims()), "unsupported token algorithm");
  auto h = header();
  h["crit"] = json::array{"exp"};
  expect_rejected(rs256_token(keys_->current()->pkey.get(), h, claims()), "critical");
  h = header();
  h["typ"] = "JWE";
  expect_rejected(rs256_token(keys_->current()->pkey.get(), h, claims()), "unsupported token type");
}

TEST_F(JwtTest, RefusesValidSignatureFromAnotherKey) {
  auto other = KeyStore::generate_rsa_key();
  // Claims our kid but is signed by a key we do not trust.
  expect_rejected(rs256_token(other.get(), header(), claims()), "invalid token signature");
  // A key from another K9 deployment, under its own kid.
  TempDir other_dir;
  KeyStore other_keys(other_dir.path());
  expect_rejected(sign_jwt(*other_keys.current(), claims()), "unknown token signing key");
}

TEST_F(JwtTest, RefusesUnknownOrMissingKid) {
  auto h = header();
  h["kid"] = "not-a-known-kid";
  expect_rejected(rs256_token(keys_->current()->pkey.get(), h, claims()), "unknown token signing key");
  h.erase("kid");
  expect_rejected(rs256_token(keys_->current()->pkey.get(), h, claims()), "no key id");
  h["kid"] = 12;
  expect_rejected(rs256_token(keys_->current()->pkey.get(), h, claims()), "no key id");
}

TEST_F(JwtTest, RefusesExpiredTokens) {
  std::string token = good();
  clock_.advance(3599);
  EXPECT_NO_THROW(verify(token));
  clock_.advance(1);  // now == exp
  expect_rejected(token, "token has expired");
  auto c = claims();
  c.erase("exp");
  expect_rejected(sign_jwt(*keys_->current(), c), "token has no expiry");
  c["exp"] = std::to_string(clock_.seconds() + 100);
  expect_rejected(sign_jwt(*keys_->current(), c), "not an integer");
  c["exp"] = static_cast<double>(clock_.seconds() + 100);
  expect_rejected(sign_jwt(*keys_->current(), c), "not an integer");
}

TEST_F(JwtTest, RefusesNotYetValidTokens) {
  auto c = claims();
  c["nbf"] = clock_.seconds() + 61;
  expect_rejected(sign_jwt(*keys_->current(), c), "token is not yet valid");
  c = claims();
  c["iat"] = clock_.seconds() + 61;
  expect_rejected(sign_jwt(*keys_->current(), c), "token issued in the future");
}

TEST_F(JwtTest, RefusesWrongIssuer) {
  auto c = claims();
  c["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x";
  expect_rejected(sign_jwt(*keys_->current(), c), "wrong token issuer");
  c.erase("iss");
  expect_rejected(sign_jwt(*keys_->current(), c), "wrong token issuer");
}

TEST_F(JwtTest, RefusesWrongTokenUse) {
  auto c = claims();
  for (const char* use : {"refresh", "ID", ""}) {
    c["token_use"] = use;
    expect_rejected(sign_jwt(*keys_->current(), c), "wrong token_use");
  }
  c.erase("token_use");
  expect_rejected(sign_jwt(*keys_->current(), c), "wrong token_use");
}

TEST_F(JwtTest, RefusesPayloadEditedAfterSigning) {
  std::string token = good();
  size_t d1 = token.find('.'), d2 = token.rfind('.');
  auto edited = claims();
  edited["sub"] = "someone-else";
  expect_rejected(token.substr(0, d1 + 1) + b64(edited) + token.substr(d2), "invalid token signature");
  // Flip one bit of the signature too.
  std::string sig = *base64url_decode(token.substr(d2 + 1));
  sig[10] ^= 0x01;
  expect_rejected(token.substr(0, d2 + 1) + base64url_encode(sig), "invalid token signature");
}

TEST_F(JwtTest, RefusesTruncatedTokens) {
  std::string token = good();
  // Cut anywhere: bad base64url tail, short signature or missing segment, never accepted.
  for (size_t cut = 1; cut < token.size(); cut += 7) expect_rejected(token.substr(0, token.size() - cut), "token");
  // A signature one byte short, correctly encoded.
  size_t d2 = token.rfind('.');
  std::string sig = *base64url_decode(token.substr(d2 + 1));
  expect_rejected(token.substr(0, d2 + 1) + base64url_encode(sig.substr(0, sig.size() - 1)), "invalid token signature");
  expect_rejected(token.substr(0, token.rfind('.')), "expected 3 segments");
  expect_rejected(token.substr(0, token.rfind('.') + 1), "empty segment");
}

TEST_F(JwtTest, RefusesPaddingAndForeignCharacters) {
  std::string token = good();
  size_t d2 = token.rfind('.');
  expect_rejected(token + "=", "bad base64url");
  expect_rejected(token + "==", "bad base64url");
  size_t d1 = token.find('.');
  expect_rejected(token.substr(0, d1) + "=" + token.substr(d1), "bad base64url");
  // Standard-alphabet characters and others in place of a url-safe one.
  for (char c : {'+', '/', '*', ' ', '\n', '\0'}) {
    std::string bad = token;
    bad[d2 + 5] = c;
    expect_rejected(bad, "bad base64url");
  }
  expect_rejected(" " + token, "bad base64url");
}

TEST_F(JwtTest, RefusesOversizedTokensBeforeParsing) {
  auto c = claims();
  c["padding"] = std::string(9000, 'a');
  expect_rejected(sign_jwt(*keys_->current(), c), "token too large");
  expect_rejected(std::string(kMaxTokenBytes + 1, '.'), "token too large");
}

TEST_F(JwtTest, RefusesEmptyAndWrongSegmentCounts) {
  expect_rejected("", "missing token");
  std::string token = good();
  size_t d1 = token.find('.');
  expect_rejected(token.substr(d1 + 1), "expected 3 segments");        // 2 segments
  expect_rejected(token + "." + token.substr(token.rfind('.') + 1), "expected 3 segments");  // 4 segments
  expect_rejected("..", "empty segment");
  expect_rejected("...", "expected 3 segments");
  expect_rejected("a.b.c", "malformed token");
}

TEST_F(JwtTest, RefusesPayloadOrHeaderThatIsNotAnObject) {
  std::string h = b64(header());
  for (std::string payload : {"[1,2]", "\"x\"", "{\"exp\":", "null"}) {
    std::string input = h + "." + base64url_encode(payload);
    expect_rejected(input + "." + base64url_encode(rs256_sign(keys_->current()->pkey.get(), input)),
                    "malformed token payload");
  }
  std::string input = base64url_encode("[\"RS256\"]") + "." + b64(claims());
  expect_rejected(input + "." + base64url_encode(rs256_sign(keys_->current()->pkey.get(), input)),
                  "malformed token header");
}

// Independent check that jwks() is right: rebuild the public key from the JWKS's n and e
// with OpenSSL (OSSL_PARAM / EVP_PKEY_fromdata) and verify a K9 token with it directly.
TEST_F(JwtTest, TokenVerifiesWithThePublicKeyRebuiltFromJwks) {
  std::string token = good();
  auto jwks = json::parse(keys_->jwks()).as_object();
  const json::object* jwk = nullptr;
  for (const auto& k : jwks.at("keys").as_array())
    if (k.at("kid").as_string() == keys_->current()->kid) jwk = &k.as_object();
  ASSERT_TRUE(jwk);
  auto n = base64url_decode(std::string(jwk->at("n").as_string()));
  auto e = base64url_decode(std::string(jwk->at("e").as_string()));
  ASSERT_TRUE(n && e);
  BnPtr bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr));
  BnPtr bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr));
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  ASSERT_TRUE(bld);
  ASSERT_EQ(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get()), 1);
  ASSERT_EQ(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get()), 1);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  OSSL_PARAM_BLD_free(bld);
  ASSERT_TRUE(params);
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  ASSERT_EQ(EVP_PKEY_fromdata_init(ctx.get()), 1);
  ASSERT_EQ(EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params), 1);
  OSSL_PARAM_free(params);
  PkeyPtr pub(raw);

  size_t d2 = token.rfind('.');
  std::string input = token.substr(0, d2);
  std::string sig = *base64url_decode(token.substr(d2 + 1));
  MdCtxPtr md(EVP_MD_CTX_new());
  ASSERT_EQ(EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, pub.get()), 1);
  EXPECT_EQ(EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  // And the same public key refuses an edited token.
  MdCtxPtr md2(EVP_MD_CTX_new());
  ASSERT_EQ(EVP_DigestVerifyInit(md2.get(), nullptr, EVP_sha256(), nullptr, pub.get()), 1);
  input[input.size() - 1] ^= 0x01;
  EXPECT_NE(EVP_DigestVerify(md2.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  // The rebuilt key's kid matches the one the JWKS names.
  EXPECT_EQ(KeyStore::kid_of(pub.get()), keys_->current()->kid);
}

}  // namespace
}  // namespace k9::identity::local
