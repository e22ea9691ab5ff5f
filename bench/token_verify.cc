// Token verification cost: a first (uncached) verification and a cached one, for K9's local
// issuer and for the Cognito verifier (whose very first verification also fetches the pool's
// JWKS over HTTP). The peer floor is one raw OpenSSL RS256 verification of the same token.
// Run: build/bench/k9_bench_token_verify (see docs/BENCHMARKS.md, "Token verification").
#include <benchmark/benchmark.h>

#include <boost/json.hpp>

#include "identity/cognito/cognito_verifier.h"
#include "identity/cognito/test_pool.h"
#include "identity/local/local_issuer.h"
#include "identity/local/test_support.h"
#include "testing/base/temp_dir.h"

namespace {

using namespace k9;
using namespace k9::identity;
namespace json = boost::json;

struct Local {
  testkit::TempDir dir;
  local::KeyStore keys{dir.path()};
  local::LocalIssuer issuer{keys};
  std::string token;
  Local() {
    local::Credential c;
    c.username = "bench";
    c.sub = "00000000-0000-4000-8000-000000000001";
    token = issuer.issue(c).id_token;
  }
};
Local& local_fixture() {
  static Local l;
  return l;
}

struct Pool {
  cognito::testing::KeyEndpoint endpoint;
  local::PkeyPtr key = local::KeyStore::generate_rsa_key();
  std::string token;
  Pool() {
    endpoint.set_keys({cognito::testing::jwk_of(key.get(), "k1")});
    int64_t now = unix_seconds(Clock::system().now());
    token = cognito::testing::rs256_token(
        key.get(), {{"kid", "k1"}, {"alg", "RS256"}},
        {{"sub", "s-1"}, {"iss", endpoint.issuer()}, {"aud", "c1"}, {"token_use", "id"},
         {"cognito:username", "bench"}, {"iat", now}, {"exp", now + 3600}});
  }
  std::string jwks_url() const { return endpoint.issuer() + "/.well-known/jwks.json"; }
};
Pool& pool_fixture() {
  static Pool p;
  return p;
}

// Verifications with the verifier's cache emptied before each: parsing, the signature, the claims.
template <class Verifier>
void verify_uncached(benchmark::State& state, Verifier& verifier, const std::string& token) {
  verifier.verify(token);
  for (auto _ : state) {
    verifier.clear_cache();
    benchmark::DoNotOptimize(verifier.verify(token));
  }
}

// Verifications of a token the verifier has seen: the cache's hit path.
template <class Verifier>
void verify_cached(benchmark::State& state, Verifier& verifier, const std::string& token) {
  verifier.verify(token);
  for (auto _ : state) benchmark::DoNotOptimize(verifier.verify(token));
}

void BM_PeerOpenSslRs256Verify(benchmark::State& state) {
  Local& l = local_fixture();
  size_t dot = l.token.rfind('.');
  std::string input = l.token.substr(0, dot);
  std::string signature = *base64url_decode(l.token.substr(dot + 1));
  EVP_PKEY* key = l.keys.current()->pkey.get();
  for (auto _ : state) benchmark::DoNotOptimize(local::rs256_verify(key, input, signature));
}
BENCHMARK(BM_PeerOpenSslRs256Verify);

void BM_LocalFirstVerification(benchmark::State& state) {
  Local& l = local_fixture();
  verify_uncached(state, l.issuer, l.token);
}
BENCHMARK(BM_LocalFirstVerification);

void BM_LocalCachedVerification(benchmark::State& state) {
  Local& l = local_fixture();
  verify_cached(state, l.issuer, l.token);
}
BENCHMARK(BM_LocalCachedVerification);

// A verifier of the pool's tokens with its own key cache: the keys are fetched on its first
// verification.
struct PoolVerifier {
  explicit PoolVerifier(Pool& p) : keys(p.jwks_url()), verifier({p.endpoint.issuer(), "c1"}, keys) {}
  cognito::JwksCache keys;
  cognito::CognitoVerifier verifier;
};

void BM_CognitoFirstVerificationWithJwksFetch(benchmark::State& state) {
  Pool& p = pool_fixture();
  for (auto _ : state) {
    PoolVerifier v(p);
    benchmark::DoNotOptimize(v.verifier.verify(p.token));
  }
}
BENCHMARK(BM_CognitoFirstVerificationWithJwksFetch);

void BM_CognitoFirstVerification(benchmark::State& state) {
  Pool& p = pool_fixture();
  PoolVerifier v(p);
  verify_uncached(state, v.verifier, p.token);
}
BENCHMARK(BM_CognitoFirstVerification);

void BM_CognitoCachedVerification(benchmark::State& state) {
  Pool& p = pool_fixture();
  PoolVerifier v(p);
  verify_cached(state, v.verifier, p.token);
}
BENCHMARK(BM_CognitoCachedVerification);

}  // namespace

BENCHMARK_MAIN();
