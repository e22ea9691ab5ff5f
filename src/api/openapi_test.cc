// The API document (api/openapi.h) against the router of the App wired as `k9 serve` wires it
// (every route group): every route is an operation of the document and every operation a
// route; schemas of described structs follow their descriptions (core/json_schema.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "api/docs_routes.h"
#include "api/openapi.h"
#include "api/router.h"
#include "core/json.h"
#include "core/json_codec.h"
#include "core/json_schema.h"
#include "testing/embedded_api.h"

namespace k9::api {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

class OpenApiTest : public testing::Test, protected testkit::EmbeddedApi {
 protected:
  OpenApiTest() : EmbeddedApi("openapi") {}
  void SetUp() override {
    wire();
    // Every group, as k9 serve wires them (testkit::make_app adds the docs group too).
    app_ = testkit::make_app(all_services());
    auto r = testkit::call(*app_, "GET", "/openapi.json");  // no token
    ASSERT_EQ(r.status, 200) << r.body;
    doc_ = parse_json(r.body).as_object();
  }

  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  const json::object& operation(const Route& r) const {
    return doc_.at("paths").at(openapi_path(r.pattern)).at(lower(r.method)).as_object();
  }
  // The schema a $ref names, else the schema itself.
  const json::object& resolve(const json::value& schema) const {
    auto& o = schema.as_object();
    if (auto* ref = o.if_contains("$ref")) {
      std::string name(ref->as_string());
      name = name.substr(name.rfind('/') + 1);
      return doc_.at("components").at("schemas").at(name).as_object();
    }
    return o;
  }

  std::unique_ptr<App> app_;
  json::object doc_;
};

TEST_F(OpenApiTest, EveryRouteIsAnOperationAndEveryOperationARoute) {
  std::set<std::pair<std::string, std::string>> routes, operations;
  for (auto& r : app_->router().routes()) routes.insert({lower(r.method), openapi_path(r.pattern)});
  for (auto& [path, item] : doc_.at("paths").as_object())
    for (auto& [method, op] : item.as_object()) operations.insert({std::string(method), std::string(path)});
  for (auto& r : routes) EXPECT_TRUE(operations.contains(r)) << "route not in the document: " << r.first << " " << r.second;
  for (auto& o : operations) EXPECT_TRUE(routes.contains(o)) << "operation without a route: " << o.first << " " << o.second;
  EXPECT_EQ(routes.size(), app_->router().routes().size());
  // Every SPEC section 3 route, the web app's, the file and JWKS routes and the document's own.
  EXPECT_GE(routes.size(), 38u);
  for (auto [method, path] : {std::pair{"get", "/.well-known/jwks.json"}, {"get", "/files/{key}"},
                              {"put", "/fetch/{job}"}, {"get", "/openapi.json"}, {"post", "/reports/{id}/search"}})
    EXPECT_TRUE(operations.contains({method, path})) << method << " " << path;
}

TEST_F(OpenApiTest, OperationsSayWhatTheRouteTableSays) {
  std::set<std::string> ids;
  for (auto& r : app_->router().routes()) {
    SCOPED_TRACE(r.method + " " + r.pattern);
    auto& op = operation(r);
    // The route's name is the operation's id (the name logs and metrics carry).
    EXPECT_EQ(op.at("operationId").as_string(), r.name);
    EXPECT_TRUE(ids.insert(r.name).second);
    EXPECT_FALSE(op.at("summary").as_string().empty());
    // Open routes say they need no token; bearer routes inherit the document's bearer JWT and answer 401.
    auto& responses = op.at("responses").as_object();
    if (r.access == Access::open) {
      ASSERT_TRUE(op.contains("security"));
      EXPECT_TRUE(op.at("security").as_array().empty());
    } else {
      EXPECT_FALSE(op.contains("security"));
      EXPECT_TRUE(responses.contains("401"));
    }
    // A success, and every error with the Error body.
    bool success = false;
    for (auto& [status, answer] : responses) {
      if (status.size() == 3 && status[0] == '2') success = true;
      if (status[0] == '4' || status[0] == '5' || status == "default")
        EXPECT_EQ(answer.at("content").at("application/json").at("schema").at("$ref").as_string(),
                  "#/components/schemas/Error")
            << status;
    }
    EXPECT_TRUE(success);
    // Path parameters: exactly the pattern's, each with an example the system test sends.
    std::vector<std::string> params;
    if (auto* ps = op.if_contains("parameters"))
      for (auto& p : ps->as_array())
        if (p.at("in").as_string() == "path") {
          params.emplace_back(p.at("name").as_string());
          EXPECT_TRUE(p.as_object().contains("example")) << p.at("name").as_string();
        }
    EXPECT_EQ(params, path_parameters(r.pattern));
    // A body exactly when the route takes one: JSON routes with a schema, image routes as bytes.
    if (r.media == Media::none) {
      EXPECT_FALSE(op.contains("requestBody"));
    } else {
      auto& content = op.at("requestBody").at("content").as_object();
      if (r.media == Media::json) {
        EXPECT_TRUE(content.at("application/json").as_object().contains("schema"));
        EXPECT_TRUE(content.at("application/json").as_object().contains("example"));
        EXPECT_TRUE(responses.contains("415"));
      } else {
        EXPECT_TRUE(content.contains("image/jpeg"));
        EXPECT_TRUE(content.contains("image/png"));
        EXPECT_TRUE(content.contains("image/webp"));
      }
      EXPECT_TRUE(responses.contains("413"));
    }
    EXPECT_TRUE(op.at("x-example-status").is_int64());
  }
}

TEST_F(OpenApiTest, SecuritySchemeIsBearerJwtAndErrorsHaveOneBody) {
  auto& scheme = doc_.at("components").at("securitySchemes").at("bearerAuth").as_object();
  EXPECT_EQ(scheme.at("type").as_string(), "http");
  EXPECT_EQ(scheme.at("scheme").as_string(), "bearer");
  EXPECT_EQ(scheme.at("bearerFormat").as_string(), "JWT");
  EXPECT_EQ(doc_.at("openapi").as_string(), "3.1.0");
  auto& error = doc_.at("components").at("schemas").at("Error").as_object();
  EXPECT_EQ(error.at("required"), (json::array{"message", "code"}));
  auto& codes = error.at("properties").at("code").at("enum").as_array();
  EXPECT_EQ(codes.size(), static_cast<size_t>(ErrorCode::internal) + 1);
  EXPECT_NE(std::find(codes.begin(), codes.end(), json::value("NotFound")), codes.end());
}

// The request and answer schemas of described structs come from their descriptions: each
// member is a property under its JSON name; input is closed (the decoder refuses unknown
// fields), output requires what the encoder always writes.
TEST_F(OpenApiTest, DescribedStructsGiveTheirSchemas) {
  auto& product_in = doc_.at("components").at("schemas").at("ProductInput").as_object();
  auto& product_out = doc_.at("components").at("schemas").at("Product").as_object();
  size_t members = 0;
  boost::mp11::mp_for_each<boost::describe::describe_members<Product, boost::describe::mod_public>>([&](auto m) {
    ++members;
    std::string key = camel_case(m.name);
    EXPECT_TRUE(product_in.at("properties").as_object().contains(key)) << key;
    EXPECT_TRUE(product_out.at("properties").as_object().contains(key)) << key;
  });
  EXPECT_EQ(product_in.at("properties").as_object().size(), members);
  EXPECT_EQ(product_in.at("additionalProperties"), json::value(false));
  auto& required = product_out.at("required").as_array();
  EXPECT_NE(std::find(required.begin(), required.end(), json::value("model")), required.end());
  EXPECT_EQ(std::find(required.begin(), required.end(), json::value("brand")), required.end());  // optional

  // POST /reports names NewReportInput (the decoder's struct) and requires title and reference.
  Route create;
  for (auto& r : app_->router().routes())
    if (r.name == "reports.create") create = r;
  auto& body = operation(create).at("requestBody").at("content").at("application/json").at("schema");
  EXPECT_EQ(body.at("$ref").as_string(), "#/components/schemas/NewReportInput");
  EXPECT_EQ(body.at("required"), (json::array{"title", "reference"}));
  auto& new_report = resolve(body);
  EXPECT_EQ(new_report.at("properties").at("reference").at("$ref").as_string(), "#/components/schemas/ProductInput");
}

TEST(JsonSchema, FollowsTheCodec) {
  SchemaRegistry reg;
  auto ref = reg.schema<User>(SchemaUse::output);
  EXPECT_EQ(ref.at("$ref").as_string(), "#/components/schemas/User");
  json::object user = reg.components().at("User").as_object();  // a copy: the registry grows below
  // The encoder's keys are the members' camelCase.
  EXPECT_TRUE(user.at("properties").as_object().contains("avatarUrl"));
  EXPECT_TRUE(user.at("properties").as_object().contains("createdAt"));
  // An input optional may be null; a Decimal is a number or a decimal string.
  reg.schema<Dimension>(SchemaUse::input);
  auto& val = reg.components().at("DimensionInput").at("properties").at("val");
  EXPECT_EQ(val.at("$ref").as_string(), "#/components/schemas/DecimalInput");
  EXPECT_EQ(reg.components().at("DecimalInput").at("type"), (json::array{"number", "string"}));
  reg.schema<Vendor>(SchemaUse::input);
  auto& price = reg.components().at("VendorInput").at("properties").at("price");
  EXPECT_EQ(price.at("anyOf").as_array().size(), 2u);
  // The same answer the encoder writes validates: every required key is present.
  User u;
  u.id = "u-1";
  auto written = to_json(u).as_object();
  for (auto& k : user.at("required").as_array()) EXPECT_TRUE(written.contains(k.as_string())) << k.as_string();
}

TEST(OpenApiPaths, RestCapturesBecomeOneParameter) {
  EXPECT_EQ(openapi_path("/uploads/{name+}"), "/uploads/{name}");
  EXPECT_EQ(path_parameters("/reports/{id}/favorites/{productId}"), (std::vector<std::string>{"id", "productId"}));
  EXPECT_EQ(path_parameters("/files/{key+}"), (std::vector<std::string>{"key"}));
}

TEST(DocsRoutes, PageIsNotFoundWithoutItsFilesAndServedWithThem) {
  testkit::TempDir dir("docs-page");
  {
    DocsRoutes missing(DocsOptions{{}, dir / "absent"});
    auto routes = missing.routes();
    Router router;
    for (auto& r : routes) router.add(r);
    missing.attached(router);
    Request req;
    Params params;
    identity::Principal nobody;
    auto m = router.match("GET", "/docs");
    ASSERT_TRUE(m.route);
    EXPECT_EQ(m.route->handler(Call{req, m.params, nobody}).status, 404);
    // The document lists the group's own routes.
    EXPECT_NE(missing.document().find("\"/docs/{file}\""), std::string::npos);
  }
  {
    std::ofstream(dir / "index.html") << "<html>docs</html>";
    std::ofstream(dir / "swagger-ui.css") << "body{}";
    DocsRoutes present(DocsOptions{{}, dir.path()});
    auto routes = present.routes();
    Router router;
    for (auto& r : routes) router.add(r);
    present.attached(router);
    Request req;
    identity::Principal nobody;
    auto page = router.match("GET", "/docs");
    auto r = page.route->handler(Call{req, page.params, nobody});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "<html>docs</html>");
    auto css = router.match("GET", "/docs/swagger-ui.css");
    EXPECT_EQ(css.route->handler(Call{req, css.params, nobody}).body, "body{}");
    auto outside = router.match("GET", "/docs/../k9.db");
    if (outside.route) EXPECT_EQ(outside.route->handler(Call{req, outside.params, nobody}).status, 404);
  }
}

}  // namespace
}  // namespace k9::api
