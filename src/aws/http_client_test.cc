#include "aws/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "aws/loopback_http_server.h"
#include "testing/base/temp_dir.h"

namespace k9::aws {
namespace {

using testing::LoopbackHttpServer;
using testing::ServedRequest;
using testing::ServedResponse;
using testing::TlsIdentity;

ServedResponse answer(std::string body) { return {200, {}, std::move(body)}; }

TEST(HttpClient, SendsMethodHeadersBodyAndReadsTheAnswer) {
  ServedRequest seen;
  LoopbackHttpServer server([&](const ServedRequest& r) {
    seen = r;
    return ServedResponse{201, {{"X-Reply", "yes"}, {"Content-Type", "text/plain"}}, "created"};
  });
  HttpClient client;
  auto r = client.send({"POST", server.url("/things?a=1"), {{"X-Custom", "v"}}, "payload"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.response().status, 201);
  EXPECT_EQ(r.response().body, "created");
  ASSERT_TRUE(r.response().header("x-reply"));
  EXPECT_EQ(*r.response().header("x-reply"), "yes");
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/things?a=1");
  EXPECT_EQ(seen.headers["x-custom"], "v");
  EXPECT_EQ(seen.body, "payload");
  EXPECT_FALSE(seen.headers.count("expect"));
}

// A body sink takes a 2xx body chunk by chunk (large downloads to a file); an error answer's
// body still lands in the response, for its message; a sink that refuses stops the transfer.
TEST(HttpClient, BodySinksTakeSuccessfulBodiesOnly) {
  std::string big(3 * 1024 * 1024, 'x');
  int status = 200;
  LoopbackHttpServer server([&](const ServedRequest&) { return ServedResponse{status, {}, big}; });
  HttpClient client;
  std::string sunk;
  size_t chunks = 0;
  HttpRequest req{"GET", server.url(), {}, ""};
  req.body_sink = [&](std::string_view chunk) {
    sunk.append(chunk);
    ++chunks;
    return true;
  };
  auto r = client.send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(sunk, big);
  EXPECT_GT(chunks, 1u);
  EXPECT_TRUE(r.response().body.empty());
  status = 404;
  sunk.clear();
  r = client.send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(sunk.empty());
  EXPECT_EQ(r.response().body.size(), big.size());
  status = 200;
  req.body_sink = [](std::string_view) { return false; };
  EXPECT_FALSE(client.send(req).ok());
}

TEST(HttpClient, ErrorStatusesAreResponsesNotErrors) {
  LoopbackHttpServer server([](const ServedRequest&) { return ServedResponse{503, {}, "busy"}; });
  HttpClient client;
  auto r = client.send({"GET", server.url(), {}, ""});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.response().status, 503);
}

TEST(HttpClient, ReusesConnectionsAcrossRequestsAndThreads) {
  LoopbackHttpServer server([](const ServedRequest&) { return ServedResponse{200, {}, "ok"}; });
  HttpClient client;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(client.send({"GET", server.url(), {}, ""}).ok());
  EXPECT_EQ(server.connections(), 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) EXPECT_TRUE(client.send({"GET", server.url(), {}, ""}).ok());
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(server.requests(), 60);
  EXPECT_LE(server.connections(), 5);
}

TEST(HttpClient, CutConnectionIsATypedError) {
  LoopbackHttpServer server([](const ServedRequest&) { return ServedResponse{.status = 0, .headers = {}, .body = {}, .cut = true}; });
  HttpClient client;
  auto r = client.send({"GET", server.url(), {}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::connection_lost);
  EXPECT_NE(r.error().message.find(server.url()), std::string::npos);
  EXPECT_EQ(r.error().sends, 1) << "a new connection that dies is not tried again";
}

TEST(HttpClient, ChunkedAnswersAreReassembledAndTheConnectionKept) {
  std::string body;
  for (int i = 0; i < 50000; ++i) body += std::to_string(i) + ",";
  LoopbackHttpServer server([&](const ServedRequest&) {
    return ServedResponse{.status = 200, .headers = {}, .body = body, .cut = false, .delay_ms = 0, .chunk = 1000};
  });
  HttpClient client;
  auto r = client.send({"GET", server.url(), {}, ""});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.response().body, body);
  std::string sunk;
  HttpRequest req{"GET", server.url(), {}, ""};
  req.body_sink = [&](std::string_view chunk) {
    sunk.append(chunk);
    return true;
  };
  ASSERT_TRUE(client.send(req).ok());
  EXPECT_EQ(sunk, body);
  EXPECT_EQ(server.connections(), 1);
}

// A server may close a kept-alive connection while it is idle: the client sees it before
// reusing the connection and opens another. Nothing was sent twice.
TEST(HttpClient, AnIdleConnectionTheServerClosedIsReplaced) {
  LoopbackHttpServer server([](const ServedRequest&) {
    return ServedResponse{.status = 200, .headers = {}, .body = "ok", .cut = false, .delay_ms = 0, .chunk = 0,
                          .close_after = true};
  });
  HttpClient client;
  for (int i = 0; i < 3; ++i) {
    auto r = client.send({"GET", server.url(), {}, ""});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.response().sends, 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // idle: the close arrives
  }
  EXPECT_EQ(server.connections(), 3);
  EXPECT_EQ(server.requests(), 3);
}

// A reused connection that dies once the request is out, before any answer (the server
// closed it meanwhile): the request goes once more on a new connection, and says so.
TEST(HttpClient, AReusedConnectionCutBeforeAnyAnswerIsResentOnceOnANewOne) {
  std::atomic<int> n{0};
  LoopbackHttpServer server([&](const ServedRequest&) -> ServedResponse {
    if (n++ == 1) return {.status = 0, .headers = {}, .body = {}, .cut = true};
    return answer("ok");
  });
  HttpClient client;
  ASSERT_TRUE(client.send({"GET", server.url(), {}, ""}).ok());
  auto r = client.send({"GET", server.url(), {}, ""});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.response().body, "ok");
  EXPECT_EQ(r.response().sends, 2);
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(server.requests(), 3);
}

TEST(HttpClient, TheResendIsOnce) {
  std::atomic<int> n{0};
  LoopbackHttpServer server([&](const ServedRequest&) -> ServedResponse {
    if (n++ == 0) return answer("ok");
    return {.status = 0, .headers = {}, .body = {}, .cut = true};
  });
  HttpClient client;
  ASSERT_TRUE(client.send({"GET", server.url(), {}, ""}).ok());
  auto r = client.send({"GET", server.url(), {}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::connection_lost);
  EXPECT_EQ(r.error().sends, 2);
  EXPECT_EQ(server.requests(), 3);
}

TEST(HttpClient, OnlyHttpAndHttpsUrls) {
  HttpClient client;
  auto r = client.send({"GET", "ftp://127.0.0.1/file", {}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::bad_request);
  EXPECT_EQ(r.error().sends, 0);
}

TEST(HttpClient, TotalTimeoutIsEnforced) {
  LoopbackHttpServer server([](const ServedRequest&) { return ServedResponse{.status = 200, .headers = {}, .body = {}, .cut = false, .delay_ms = 1500}; });
  HttpClientOptions o;
  o.total_timeout = std::chrono::milliseconds(300);
  HttpClient client(o);
  auto start = std::chrono::steady_clock::now();
  auto r = client.send({"GET", server.url(), {}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1200));
}

TEST(HttpClient, RefusedConnectionIsAConnectError) {
  int port;
  { LoopbackHttpServer gone([](const ServedRequest&) { return ServedResponse{}; }); port = gone.port(); }
  HttpClient client;
  auto r = client.send({"GET", "http://127.0.0.1:" + std::to_string(port) + "/", {}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::connect);
}

TEST(CaBundle, TheVariablesFirstThenTheFirstBundleThatExists) {
  std::map<std::string, std::string> env;
  std::set<std::string> files;
  auto find = [&] {
    return find_ca_bundle([&](const char* n) { return env.count(n) ? env[n].c_str() : nullptr; },
                          [&](const std::string& p) { return files.count(p) > 0; });
  };
  EXPECT_EQ(find(), "");  // nothing known: OpenSSL's default
  files = {"/etc/pki/tls/certs/ca-bundle.crt"};  // Amazon Linux 2023, where Lambda runs the package
  EXPECT_EQ(find(), "/etc/pki/tls/certs/ca-bundle.crt");
  files.insert("/etc/ssl/certs/ca-certificates.crt");  // Debian
  EXPECT_EQ(find(), "/etc/ssl/certs/ca-certificates.crt");
  env["SSL_CERT_FILE"] = "/opt/openssl.pem";
  EXPECT_EQ(find(), "/opt/openssl.pem");
  env["AWS_CA_BUNDLE"] = "/opt/aws.pem";
  EXPECT_EQ(find(), "/opt/aws.pem");
  env["AWS_CA_BUNDLE"] = "";  // set but empty: not a choice
  EXPECT_EQ(find(), "/opt/openssl.pem");
}

TEST(CaBundle, TheClientLoadsTheBundleItIsGiven) {
  // A plain-HTTP listener: an https:// request to it fails either way; with a bundle that
  // does not exist it fails earlier, on loading the bundle, which shows the option is applied.
  LoopbackHttpServer server([](const ServedRequest&) { return ServedResponse{200, {}, "plain"}; });
  std::string url = server.url("/");
  url.replace(0, 4, "https");
  HttpClientOptions missing;
  missing.ca_bundle = "/nonexistent/k9-ca.pem";
  auto r = HttpClient(missing).send({"GET", url});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("/nonexistent/k9-ca.pem"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().kind, HttpErrorKind::tls) << r.error().message;
  HttpClientOptions system;
  system.connect_timeout = std::chrono::milliseconds(300);  // the listener never answers a ClientHello
  auto start = std::chrono::steady_clock::now();
  auto plain = HttpClient(system).send({"GET", url});  // the system bundle loads; the handshake times out
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().kind, HttpErrorKind::timeout) << plain.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1200));
  EXPECT_EQ(plain.error().sends, 0);
  EXPECT_EQ(plain.error().message.find("k9-ca.pem"), std::string::npos);
  EXPECT_EQ(HttpClient().options().ca_bundle, system_ca_bundle());
}

// HTTPS to a loopback server whose self-signed certificate is the CA bundle the client is given.
struct TlsServer {
  explicit TlsServer(const std::string& names)
      : identity(TlsIdentity::self_signed(names)),
        server([](const ServedRequest& r) { return answer("secret " + r.target); }, &identity) {
    std::ofstream(dir / "ca.pem") << identity.cert_pem;
  }
  HttpClientOptions trusting() const {
    HttpClientOptions o;
    o.ca_bundle = (dir / "ca.pem").string();
    return o;
  }
  testkit::TempDir dir{"tls"};
  TlsIdentity identity;
  LoopbackHttpServer server;
};

TEST(HttpClientTls, TalksToAServerTheBundleVouchesForAndKeepsTheConnection) {
  TlsServer tls("DNS:localhost,IP:127.0.0.1");
  HttpClient client(tls.trusting());
  for (int i = 0; i < 3; ++i) {
    auto r = client.send({"GET", tls.server.url("/a?b=" + std::to_string(i)), {}, ""});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.response().body, "secret /a?b=" + std::to_string(i));
  }
  EXPECT_EQ(tls.server.connections(), 1);
  // By name: the name goes out as SNI and the certificate must carry it.
  auto r = client.send({"GET", "https://localhost:" + std::to_string(tls.server.port()) + "/", {}, ""});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(tls.server.server_names(), (std::vector<std::string>{"", "localhost"}));
}

TEST(HttpClientTls, RefusesAServerTheBundleDoesNotVouchFor) {
  TlsServer tls("DNS:localhost,IP:127.0.0.1");
  auto r = HttpClient().send({"GET", tls.server.url(), {}, ""});  // the system's CAs never signed it
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::tls) << r.error().message;
  EXPECT_EQ(r.error().sends, 0);
  EXPECT_EQ(tls.server.requests(), 0);
}

TEST(HttpClientTls, RefusesACertificateForAnotherName) {
  TlsServer tls("DNS:other.example");
  HttpClient client(tls.trusting());
  for (std::string host : {"127.0.0.1", "localhost"}) {
    auto r = client.send({"GET", "https://" + host + ":" + std::to_string(tls.server.port()) + "/", {}, ""});
    ASSERT_FALSE(r.ok()) << host;
    EXPECT_EQ(r.error().kind, HttpErrorKind::tls) << r.error().message;
  }
  EXPECT_EQ(tls.server.requests(), 0);
}

}  // namespace
}  // namespace k9::aws
