// The dispatcher on its own: a table of test routes, a verifier that knows two tokens. What
// App promises whatever the routes are: 404/405, authentication before the handler, 415 for
// JSON routes, no exception escapes, admission from the table and the wiring, and a route
// that does not declare how it blocks is refused at wiring time.
#include <gtest/gtest.h>

#include <stdexcept>

#include "api/app.h"
#include "core/json.h"
#include "testing/api_app.h"

namespace k9::api {
namespace {

class TwoTokens final : public identity::TokenVerifier {
 public:
  explicit TwoTokens(bool may_block) : may_block_(may_block) {}
  identity::Principal verify(std::string_view token) override {
    if (token == "alice-token") return {.sub = "alice"};
    throw unauthorized("bad token");
  }
  bool may_block() const override { return may_block_; }

 private:
  bool may_block_;
};

class TestRoutes final : public RouteGroup {
 public:
  explicit TestRoutes(std::vector<Route> routes) : routes_(std::move(routes)) {}
  std::vector<Route> routes() override { return std::move(routes_); }

 private:
  std::vector<Route> routes_;
};

Response echo(const Call& c) {
  Response r;
  r.body = c.user.sub + "|" + (c.params.count("id") ? c.param("id") : "") + "|" + c.request.body;
  return r;
}

std::vector<Route> table() {
  return {
      {"GET", "/open", "open", Access::open, Blocking::never, Media::none, 0, echo},
      {"GET", "/things/{id}", "things.get", Access::bearer, Blocking::reads, Media::none, 0, echo},
      {"POST", "/things", "things.create", Access::bearer, Blocking::always, Media::json, 0, echo},
      {"PUT", "/things/{id}/file", "things.file", Access::bearer, Blocking::always, Media::bytes, 5000, echo},
      {"GET", "/boom", "boom", Access::open, Blocking::never, Media::none, 0,
       [](const Call&) -> Response { throw std::runtime_error("a bug with secret details"); }},
      {"GET", "/odd", "odd", Access::open, Blocking::never, Media::none, 0, [](const Call&) -> Response { throw 42; }},
  };
}

std::vector<std::unique_ptr<RouteGroup>> groups(std::vector<Route> routes) {
  std::vector<std::unique_ptr<RouteGroup>> g;
  g.push_back(std::make_unique<TestRoutes>(std::move(routes)));
  return g;
}

Response call(App& app, const std::string& method, const std::string& path, const std::string& token = "",
              const std::string& body = "", const std::string& type = "") {
  return testkit::call(app, method, path, body, token, {}, type);
}

std::string code(const Response& r) { return std::string(parse_json(r.body).at("code").as_string()); }

TEST(AppDispatch, RoutesAuthenticatesAndMapsErrors) {
  TwoTokens verifier(false);
  App app(verifier, {}, groups(table()));
  EXPECT_EQ(call(app, "GET", "/open").body, "||");
  EXPECT_EQ(call(app, "GET", "/things/7", "alice-token").body, "alice|7|");
  auto r = call(app, "GET", "/things/7");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(code(r), "Unauthorized");
  EXPECT_EQ(call(app, "GET", "/things/7", "mallory-token").status, 401);
  r = call(app, "DELETE", "/things/7", "alice-token");
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Allow", "GET"}));
  EXPECT_EQ(call(app, "GET", "/nothing").status, 404);
  EXPECT_EQ(call(app, "GET", "/things/7/").status, 404);
}

TEST(AppDispatch, JsonRoutesTakeJsonOnly) {
  TwoTokens verifier(false);
  App app(verifier, {}, groups(table()));
  auto r = call(app, "POST", "/things", "alice-token", R"({"a":1})", "text/plain");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(code(r), "UnsupportedMediaType");
  EXPECT_EQ(call(app, "POST", "/things", "", R"({"a":1})", "text/plain").status, 401);  // the token first
  EXPECT_EQ(call(app, "POST", "/things", "alice-token", R"({"a":1})", "application/json").status, 200);
  EXPECT_EQ(call(app, "POST", "/things", "alice-token", R"({"a":1})").status, 200);  // no type: taken as JSON
  // A bytes route takes any type: its handler sniffs.
  EXPECT_EQ(call(app, "PUT", "/things/7/file", "alice-token", "\x89PNG", "text/plain").status, 200);
}

TEST(AppDispatch, NothingEscapesAndNoDetailLeaks) {
  TwoTokens verifier(false);
  App app(verifier, {}, groups(table()));
  for (std::string path : {"/boom", "/odd"}) {
    auto r = call(app, "GET", path);
    EXPECT_EQ(r.status, 500) << path;
    EXPECT_EQ(code(r), "InternalError");
    EXPECT_EQ(r.body.find("secret"), std::string::npos) << r.body;
  }
  auto refused = app.refuse(Error(ErrorCode::too_large, "request body too large"));
  EXPECT_EQ(refused.status, 413);
  EXPECT_EQ(code(refused), "PayloadTooLarge");
  EXPECT_EQ(app.refuse(Error(ErrorCode::header_too_large, "x")).status, 431);
  auto busy = app.refuse(Error(ErrorCode::unavailable, "try later", 3));
  EXPECT_EQ(busy.status, 503);
  ASSERT_EQ(busy.headers.size(), 1u);
  EXPECT_EQ(busy.headers[0].second, "3");
}

TEST(AppDispatch, AdmissionFollowsTheTableAndTheWiring) {
  TwoTokens local(false);
  App embedded(local, {.max_body_bytes = 100, .store_reads_local = true, .verifier_may_block = false}, groups(table()));
  EXPECT_EQ(embedded.admit("GET", "/things/7").max_body_bytes, 100u);
  EXPECT_EQ(embedded.admit("PUT", "/things/7/file").max_body_bytes, 5000u);
  EXPECT_EQ(embedded.admit("POST", "/things/7/file").max_body_bytes, 100u);  // no such route: the default
  EXPECT_FALSE(embedded.admit("GET", "/open").blocks);
  EXPECT_FALSE(embedded.admit("GET", "/things/7").blocks);  // local reads
  EXPECT_TRUE(embedded.admit("POST", "/things").blocks);    // writes
  EXPECT_FALSE(embedded.admit("GET", "/unknown").blocks);   // answered 404 at once

  App remote(local, {.store_reads_local = false, .verifier_may_block = false}, groups(table()));
  EXPECT_TRUE(remote.admit("GET", "/things/7").blocks);  // a remote store's read waits on the network
  EXPECT_FALSE(remote.admit("GET", "/open").blocks);

  TwoTokens fetching(true);
  App cognito(fetching, {.store_reads_local = true, .verifier_may_block = true}, groups(table()));
  EXPECT_TRUE(cognito.admit("GET", "/things/7").blocks);  // a token check may fetch keys
  EXPECT_FALSE(cognito.admit("GET", "/open").blocks);     // open routes check no token
}

TEST(AppDispatch, EveryRouteDeclaresItselfFully) {
  TwoTokens verifier(false);
  // Each added to the good table: no blocking mode, no name, a route twice, a name twice.
  for (const auto& [method, pattern, name, blocking] :
       {std::tuple{"GET", "/lazy", "lazy", Blocking::undeclared}, std::tuple{"GET", "/anonymous", "", Blocking::never},
        std::tuple{"GET", "/open", "open.again", Blocking::never}, std::tuple{"GET", "/elsewhere", "open", Blocking::never}}) {
    auto routes = table();
    routes.push_back({method, pattern, name, Access::open, blocking, Media::none, 0, echo});
    EXPECT_THROW(App(verifier, {}, groups(routes)), std::logic_error) << pattern << " " << name;
  }
}

TEST(AppDispatch, AWebFileBesideATokenRouteIsServedOnlyWithoutAToken) {
  // The web app's export holds /things/7 as a file (Next's /fetch/index.txt beside
  // GET /fetch/{job}): a browser's GET without a token gets the file, an API call with a token
  // reaches the route, and a path with no file is still the route's 401.
  TwoTokens verifier(false);
  AppOptions options;
  options.fallback = [](const Request& r) -> std::optional<Response> {
    Response file;
    if (r.path == "/things/7") {
      file.body = "a web file";
      return file;
    }
    file.status = 404;  // a 404 page: never in place of the route's answer
    file.body = "not here";
    return file;
  };
  App app(verifier, options, groups(table()));
  EXPECT_EQ(call(app, "GET", "/things/7").body, "a web file");
  EXPECT_EQ(call(app, "GET", "/things/7", "alice-token").body, "alice|7|");
  auto r = call(app, "GET", "/things/8");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(code(r), "Unauthorized");
  EXPECT_EQ(call(app, "PUT", "/things/7/file", "", "x", "image/jpeg").status, 401);  // writes never
}

}  // namespace
}  // namespace k9::api
