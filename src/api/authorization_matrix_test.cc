// The authorization matrix: every route and method of the router x {no token, forged tokens,
// expired token, a deleted user's token, another user's token, the owner's token}, through the Handler on a real
// SQLite file and real local tokens. Each case must answer its expected status and change
// nothing in the store, or (where a write is the point) only the caller's own items. The
// whole store is snapshot from the SQLite file, and every file from the blob folder, before
// and after every request.
//
// A route the router has but the matrix lacks fails the test: add its row to matrix().
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <fstream>
#include <set>

#include "api/app.h"
#include "testing/api_app.h"
#include "testing/embedded_api.h"
#include "catalog/snapshot/builder.h"
#include "codec/codec.h"
#include <opencv2/core.hpp>
#include "core/encoding.h"
#include "core/json.h"
#include "testing/base/fake_clock.h"
#include "identity/local/jwt.h"
#include "identity/local/openssl_util.h"
#include "image_probe/test_images.h"
#include "identity/local/local_issuer.h"
#include "store/item_json.h"
#include "store/sqlite/item_codec.h"
#include "store/sqlite/sqlite_store.h"

namespace k9::api {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace identity::local;

// What a request may do to the store.
enum class Writes {
  none,  // nothing changes
  own,   // only items owned by the caller (user_id or sub equal to the caller's sub)
};

struct Answer {
  int status = 0;
  Writes writes = Writes::none;
};

// One row: a route, the body sent in every case (path parameters are filled by fill():
// the owner's report, a product id, an upload name, a file key), and the answer of each caller.
struct MatrixRow {
  std::string method, pattern, body;
  Answer no_token, forged, expired, other_user, owner;
};

// A route that needs a token: no, forged and expired tokens (and a deleted user's, which the
// `forged` answer covers) are 401 and change nothing.
MatrixRow protected_route(std::string method, std::string pattern, std::string body, Answer other_user,
                          Answer owner) {
  Answer refused{401, Writes::none};
  return {std::move(method), std::move(pattern), std::move(body), refused, refused, refused, other_user, owner};
}

// A route that needs no token: every caller gets the same answer.
MatrixRow public_route(std::string method, std::string pattern, std::string body, Answer everyone) {
  return {std::move(method), std::move(pattern), std::move(body), everyone, everyone, everyone, everyone, everyone};
}

// A textured photo the extractor analyses (the probe's test PNGs carry no real pixels).
std::string photo(int side, int seed) {
  cv::Mat m(side, side, CV_8UC3);
  cv::randu(m, cv::Scalar(40 + seed, 60, 80), cv::Scalar(200, 180 + seed, 160));
  return codec::encode_png(m);
}

std::vector<MatrixRow> matrix() {
  const Answer not_found{404, Writes::none};
  const std::string report = R"({"title":"Matrix","reference":{"model":"Oak","images":[{"url":"a.jpg"}]}})";
  const std::string png = image::testing::png_bytes(32, 32);
  return {
      public_route("GET", "/healthz", "", {200}),
      public_route("GET", "/readyz", "", {200}),
      public_route("GET", "/.well-known/jwks.json", "", {200}),
      // The API document needs no token; its page's files are not installed in this wiring.
      public_route("GET", "/openapi.json", "", {200}),
      public_route("GET", "/docs", "", not_found),
      public_route("GET", "/docs/{file+}", "", not_found),
      // Signed file links: the signature is the permission; none here, so refused for all.
      public_route("GET", "/files/{key+}", "", {403}),
      // Sign-in routes take no bearer token; wrong secrets are refused and write nothing.
      public_route("POST", "/auth/login", R"({"username":"alice","password":"wrong-password-1"})", {401}),
      public_route("POST", "/auth/refresh", R"({"username":"alice","refreshToken":"not-a-refresh-token"})", {401}),
      public_route("POST", "/auth/reset", R"({"username":"alice","newPassword":"New-password-12","session":"bogus"})",
                   {401}),
      // The profile is the caller's own: another user reads and changes only theirs.
      protected_route("GET", "/user/profile", "", {200, Writes::own}, {200, Writes::own}),
      protected_route("PATCH", "/user/profile", R"({"name":"Renamed"})", {200, Writes::own}, {200, Writes::own}),
      protected_route("PUT", "/user/avatar", png, {200, Writes::own}, {200, Writes::own}),
      // Uploads land in the caller's own folder (uploads/<sub>/...), whoever calls.
      protected_route("PUT", "/uploads/{name+}", png, {201, Writes::own}, {201, Writes::own}),
      // Direct uploads (a presigned PUT) need S3; on files on disk every caller gets 404.
      protected_route("POST", "/uploads", R"({"name":"a.png"})", not_found, not_found),
      protected_route("GET", "/reports", "", {200}, {200}),
      protected_route("POST", "/reports", report, {201, Writes::own}, {201, Writes::own}),
      // A report is the owner's: anyone else gets 404, as if it did not exist.
      protected_route("GET", "/reports/{id}", "", not_found, {200}),
      protected_route("PATCH", "/reports/{id}", R"({"title":"Renamed"})", not_found, {200, Writes::own}),
      protected_route("DELETE", "/reports/{id}", "", not_found, {200, Writes::own}),
      protected_route("PUT", "/reports/{id}/favorites/{productId}", R"({"isFavorite":true})", not_found,
                      {200, Writes::own}),
      protected_route("PUT", "/reports/{id}/favorites", R"({"favorites":["p-7","p-8"]})", not_found,
                      {200, Writes::own}),
      // A report's results: the owner's only (its analysis has run; p-7 is in the catalog).
      protected_route("POST", "/reports/{id}/search", R"({"limit":5})", not_found, {200}),
      protected_route("GET", "/reports/{id}/products/{productId}", "", not_found, {200}),
      protected_route("GET", "/reports/{id}/favorites", "", not_found, {200}),
      protected_route("GET", "/reports/{id}/export", "", not_found, {200}),
      // Embeddings of a caller's own products are stored owned by them: "mine-1" becomes the
      // other user's (who calls first), so the owner may not overwrite it (404).
      protected_route("POST", "/embeddings/compute",
                      R"({"product_data":{"id":"mine-1","model":"Mine","images":[{"url":"data:image/png;base64,)" +
                          base64_encode(photo(40, 5)) + R"("}]}})",
                      {200, Writes::own}, not_found),
      // A catalog product's matrix is derived data, made in SetUp: scoring again writes the
      // same bytes, so nothing changes.
      protected_route("POST", "/embeddings/similarity", R"({"reference_product_id":"p-7"})", {200}, {200}),
      protected_route("GET", "/embeddings/similarity/{productId}", "", {200}, {200}),
      // The published web app's routes (api/webapp_routes.h); {job} is the owner's report. A
      // taken job id can never be claimed, whoever asks: 409, nothing stored.
      protected_route("GET", "/report", "", {200}, {200}),
      protected_route("PUT", "/fetch/{job}/album/{file}", png, {409}, {409}),
      protected_route("PUT", "/fetch/{job}",
                      R"({"type":"tile","material":"ceramic","length":12,"width":6,"thickness":null,"images":["img0.png"]})",
                      {409}, {409}),
      protected_route("GET", "/fetch/{job}", "", not_found, {200}),
      protected_route("POST", "/fetch/{job}",
                      R"({"type_":{"type":0.2,"material":0.2,"missing":true},"shape":{"missing":true,"length":1,"width":1},)"
                      R"("color":{"missing":true,"primary":0.5,"secondary":0.5},"pattern":{"missing":true,"primary":0.5,"secondary":0.5}})",
                      not_found, {200}),
      protected_route("GET", "/fetch/{job}/product/{productId}", "", not_found, {200}),
      protected_route("GET", "/report/{job}/favorites", "", not_found, {200}),
      protected_route("PUT", "/report/{job}/favorites", R"({"product_ids":["p-7"]})", not_found, {200, Writes::own}),
      protected_route("POST", "/report/{job}/favorites", R"({"product_id":"p-7"})", not_found, {200, Writes::own}),
  };
}

// Every item of every K9 table, read straight from the SQLite file (table|pk|sk -> item), and
// every blob file (file|path -> {user_id: the <user> folder of its key, bytes}).
struct StoreSnapshot {
  std::map<std::string, store::Item> items;
};

StoreSnapshot read_store(const fs::path& file) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + file.string());
  }
  auto rows = [db](const std::string& sql, auto&& each) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db));
    auto blob = [st](int i) {
      return std::string(static_cast<const char*>(sqlite3_column_blob(st, i)), sqlite3_column_bytes(st, i));
    };
    while (sqlite3_step(st) == SQLITE_ROW) each(blob);
    sqlite3_finalize(st);
  };
  StoreSnapshot snap;
  std::vector<std::string> tables;
  rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 't:%'",
       [&](auto& col) { tables.push_back(col(0)); });
  for (auto& t : tables) {
    rows("SELECT pk, sk, item FROM \"" + t + "\"", [&](auto& col) {
      snap.items[t + "|" + hex_encode(col(0)) + "|" + hex_encode(col(1))] = store::sqlite::decode_item(col(2));
    });
  }
  sqlite3_close(db);
  return snap;
}

void read_blobs(const fs::path& root, StoreSnapshot& snap) {
  if (!fs::exists(root)) return;
  std::map<std::string, std::string> product_owner;  // similarity_matrices/<version>/<product>.npz
  for (auto& [k, item] : snap.items) {
    auto id = item.find("id");
    auto owner = item.find("user_id");
    if (id != item.end() && owner != item.end() && id->second.is(store::AttrType::S) && owner->second.is(store::AttrType::S))
      product_owner[id->second.s()] = owner->second.s();
  }
  for (auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    auto rel = fs::relative(e.path(), root);
    auto part = rel.begin();
    std::string owner = std::distance(rel.begin(), rel.end()) > 2 ? (++part)->string() : "";
    if (rel.begin()->string() == "similarity_matrices") owner = product_owner[rel.stem().string()];
    std::ifstream in(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    snap.items["file|" + rel.string()] = {{"user_id", store::AttributeValue::S(owner)},
                                          {"bytes", store::AttributeValue::B(bytes)}};
  }
}

std::string owner_of(const store::Item& item) {
  for (const char* attr : {"user_id", "sub"}) {
    auto it = item.find(attr);
    if (it != item.end() && it->second.is(store::AttrType::S)) return it->second.s();
  }
  return "";
}

// Differences between two snapshots that break `writes` for a caller whose sub is `caller`.
std::vector<std::string> forbidden_changes(const StoreSnapshot& before, const StoreSnapshot& after, Writes writes,
                                           const std::string& caller) {
  std::set<std::string> keys;
  for (auto& [k, _] : before.items) keys.insert(k);
  for (auto& [k, _] : after.items) keys.insert(k);
  std::vector<std::string> out;
  for (auto& k : keys) {
    auto b = before.items.find(k);
    auto a = after.items.find(k);
    bool had = b != before.items.end(), has = a != after.items.end();
    if (had && has && store::serialize_item(b->second) == store::serialize_item(a->second)) continue;
    bool owned = (!had || owner_of(b->second) == caller) && (!has || owner_of(a->second) == caller);
    if (writes == Writes::own && owned && !caller.empty()) continue;
    out.push_back(k + (had ? (has ? " changed" : " removed") : " added"));
  }
  return out;
}

std::string base64url_json(const json::object& o) { return base64url_encode(to_json_text(o)); }

class AuthorizationMatrixTest : public testing::Test, protected testkit::EmbeddedApi {
 protected:
  AuthorizationMatrixTest() : EmbeddedApi("authz-matrix") {}
  void SetUp() override {
    // Wired as `k9 serve` wires the embedded mode: files in a folder, K9-signed links, analysis
    // run synchronously here; a one-product catalog (p-7).
    wire(nullptr, {.throttle = {.per_user = 1000, .per_address = 1000}, .matrix_cache_bytes = 64u << 20});
    Product p7;
    p7.id = "p-7";
    p7.model = "Catalog oak";
    p7.images.push_back({"i-7", "catalog/p-7/1.png"});
    blobs_->put("catalog/p-7/1.png", photo(40, 7));
    products_->put(p7, "hash-7");
    auto f = extractor_.extract({photo(40, 7)});
    embeddings_->put({"p-7", f.model_version, f.vector.size(), f.vector});
    snapshots_->ensure(*products_, *embeddings_, f.model_version);
    ASSERT_TRUE(analysis_->score(p7, f.model_version));  // p-7's own matrix (GET /embeddings/similarity/p-7)
    app_ = testkit::make_app(all_services());
    // As `k9 serve` wires it: a deleted user's tokens are refused once the gate rereads them.
    issuer_->require_live_accounts(*creds_, {}, &gate_clock_);

    auto alice = creds_->add("alice", "correct-horse-1", false, "Alice");
    auto bob = creds_->add("bob", "correct-horse-2", false, "Bob");
    alice_sub_ = alice.sub;
    bob_sub_ = bob.sub;
    alice_ = issuer_->issue(alice).id_token;
    bob_ = issuer_->issue(bob).id_token;
    forged_ = forged_tokens(alice);
    // Expired: the same keys, issued two hours ago (tokens live one hour).
    testkit::FakeClock past(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() -
        7200);
    LocalIssuer old(*keys_, {}, past);
    expired_ = old.issue(alice).id_token;
    // A deleted user: carol has a profile and a report, then `k9 users delete carol` (her
    // credential and refresh tokens go, her data stays), and the gate's ttl passes.
    auto carol = creds_->add("carol", "correct-horse-3", false, "Carol");
    deleted_ = issuer_->issue(carol).id_token;
    // Every user has a profile and a report, so a refused request has something to harm.
    for (auto* token : {&alice_, &bob_, &deleted_}) {
      ASSERT_EQ(call("GET", "/user/profile", "", *token).status, 200);
      new_report(*token);
    }
    ASSERT_TRUE(auth_->login("carol", "correct-horse-3", "127.0.0.1").tokens);
    ASSERT_TRUE(creds_->remove("carol"));
    ASSERT_EQ(refresh_->revoke_user("carol"), 1u);
    ASSERT_EQ(call("GET", "/user/profile", "", deleted_).status, 200);  // not reread yet: within the ttl
    gate_clock_.advance(issuer_->account_gate()->options().ttl.count());
  }

  // Tokens carrying alice's claims that must not pass: payload edited after signing, signed
  // by a stranger's key under K9's kid, and alg "none".
  std::map<std::string, std::string> forged_tokens(const Credential& alice) {
    std::map<std::string, std::string> out;
    std::string genuine = issuer_->issue(alice).id_token;
    auto dot1 = genuine.find('.'), dot2 = genuine.rfind('.');
    std::string header = genuine.substr(0, dot1), signature = genuine.substr(dot2 + 1);
    auto claims = parse_json(*base64url_decode(genuine.substr(dot1 + 1, dot2 - dot1 - 1))).as_object();
    auto edited = claims;
    edited["exp"] = claims.at("exp").to_number<int64_t>() + 86400;
    out["edited payload"] = header + "." + base64url_json(edited) + "." + signature;

    KeyStore stranger(dir_ / "stranger");
    std::string signed_part = header + "." + base64url_json(claims);  // K9's header: K9's kid
    out["foreign key, known kid"] =
        signed_part + "." + base64url_encode(rs256_sign(stranger.current()->pkey.get(), signed_part));

    std::string kid(parse_json(*base64url_decode(header)).at("kid").as_string());

    out["alg none"] = base64url_json({{"alg", "none"}, {"typ", "JWT"}, {"kid", kid}}) + "." +
                      base64url_json(claims) + ".";
    return out;
  }

  Response call(const std::string& method, const std::string& path, const std::string& body,
                const std::string& token) {
    return testkit::call(*app_, method, path, body, token);
  }
  // A report with an uploaded photo, analysed (as the workers of k9 serve would), with a favorite.
  std::string new_report(const std::string& token) {
    auto up = call("PUT", "/uploads/ref.png", photo(48, 3), token);
    EXPECT_EQ(up.status, 201) << up.body;
    std::string key = json::value_to<std::string>(parse_json(up.body).at("key"));
    auto r = call("POST", "/reports",
                  R"({"title":"Kitchen","reference":{"model":"Oak","images":[{"url":")" + key + R"("}]}})", token);
    EXPECT_EQ(r.status, 201) << r.body;
    std::string id = json::value_to<std::string>(parse_json(r.body).at("id"));
    while (auto job = jobs_->claim(analysis::kQueue, std::chrono::minutes(1))) {
      try {
        analysis_->run(*job);
      } catch (const std::exception& e) {  // e.g. the matrix's own POST /reports, whose image is not K9's
        analysis_->fail(*job, e.what());
      }
      jobs_->finish(*job);
    }
    auto analysed = parse_json(call("GET", "/reports/" + id, "", token).body);
    EXPECT_EQ(analysed.at("analysis").at("status"), "ready") << analysed;
    EXPECT_EQ(call("PUT", "/reports/" + id + "/favorites/p-7", R"({"isFavorite":true})", token).status, 200);
    return id;
  }
  std::string fill(std::string pattern, const std::string& report_id) const {
    for (auto [name, value] : {std::pair<std::string, std::string>{"{id}", report_id},
                               {"{job}", report_id},
                               {"{file}", "img0.png"},
                               {"{productId}", "p-7"},
                               {"{name+}", "tile.png"},
                               {"{file+}", "swagger-ui.css"},
                               {"{key+}", "uploads/" + alice_sub_ + "/x-tile.png"}}) {
      auto at = pattern.find(name);
      if (at != std::string::npos) pattern.replace(at, name.size(), value);
    }
    return pattern;
  }

  // Sends one case and checks its status and what it changed in the store.
  StoreSnapshot snapshot() const {
    auto snap = read_store(dir_ / "k9.db");
    read_blobs(dir_ / "blobs", snap);
    return snap;
  }

  void check_case(const MatrixRow& row, const std::string& caller_name, const std::string& token,
                  const std::string& caller_sub, const Answer& expected) {
    std::string report_id = new_report(alice_);  // a fresh report of the owner for every case
    std::string path = fill(row.pattern, report_id);
    auto before = snapshot();
    auto resp = call(row.method, path, row.body, token);
    auto after = snapshot();
    std::string what = row.method + " " + row.pattern + " with " + caller_name;
    EXPECT_EQ(resp.status, expected.status) << what << ": " << resp.body;
    if (resp.status >= 400) {
      auto err = parse_json(resp.body).as_object();
      EXPECT_TRUE(err.contains("message") && err.contains("code")) << what << ": " << resp.body;
    }
    auto bad = forbidden_changes(before, after, expected.writes, caller_sub);
    EXPECT_TRUE(bad.empty()) << what << " changed what it must not: " << bad.size() << " item(s), first "
                             << (bad.empty() ? "" : bad.front());
    ++cases_;
  }

  std::unique_ptr<App> app_;
  testkit::FakeClock gate_clock_{
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count()};
  std::string alice_, bob_, expired_, deleted_, alice_sub_, bob_sub_;
  std::map<std::string, std::string> forged_;
  int cases_ = 0;
};

TEST_F(AuthorizationMatrixTest, EveryRouteHasAMatrixRowAndEveryRowARoute) {
  std::set<std::pair<std::string, std::string>> routes, rows;
  for (auto& r : app_->router().routes()) routes.insert({r.method, r.pattern});
  for (auto& r : matrix()) rows.insert({r.method, r.pattern});
  for (auto& r : routes) EXPECT_TRUE(rows.contains(r)) << "route without a matrix row: " << r.first << " " << r.second;
  for (auto& r : rows) EXPECT_TRUE(routes.contains(r)) << "matrix row without a route: " << r.first << " " << r.second;
  EXPECT_GE(routes.size(), 33u);
}

TEST_F(AuthorizationMatrixTest, EveryCallerGetsItsAnswerAndChangesOnlyWhatItMay) {
  ASSERT_EQ(forged_.size(), 3u);
  for (auto& row : matrix()) {
    check_case(row, "no token", "", "", row.no_token);
    for (auto& [kind, token] : forged_) check_case(row, "forged token (" + kind + ")", token, "", row.forged);
    check_case(row, "expired token", expired_, "", row.expired);
    check_case(row, "a deleted user's token", deleted_, "", row.forged);
    check_case(row, "another user's token", bob_, bob_sub_, row.other_user);
    check_case(row, "the owner's token", alice_, alice_sub_, row.owner);
  }
  EXPECT_EQ(cases_, static_cast<int>(matrix().size()) * 8);
}

// Issue 3's last hostile token, on its own: a deleted user's still-unexpired token is refused
// on every route that needs a token (as a forged one), and nothing stored changes, their own
// profile and reports included.
TEST_F(AuthorizationMatrixTest, ADeletedUsersTokenIsRefusedEverywhereAndChangesNothing) {
  for (auto& row : matrix()) check_case(row, "a deleted user's token", deleted_, "", row.forged);
  EXPECT_EQ(cases_, static_cast<int>(matrix().size()));
}

// The snapshot sees every write: a sanity check that the matrix's "unchanged" means something.
TEST_F(AuthorizationMatrixTest, SnapshotSeesEveryKindOfWrite) {
  auto before = snapshot();
  std::string id = new_report(bob_);
  auto added = snapshot();
  // upload, report image, report, reference product, its embedding, its similarity matrix
  EXPECT_EQ(forbidden_changes(before, added, Writes::none, "").size(), 6u);
  EXPECT_TRUE(forbidden_changes(before, added, Writes::own, bob_sub_).empty());
  EXPECT_EQ(forbidden_changes(before, added, Writes::own, alice_sub_).size(), 6u);
  ASSERT_EQ(call("PATCH", "/reports/" + id, R"({"title":"x"})", bob_).status, 200);
  EXPECT_EQ(forbidden_changes(added, snapshot(), Writes::none, "").size(), 1u);
  ASSERT_EQ(call("DELETE", "/reports/" + id, "", bob_).status, 200);
  // all but the upload (swept later) go with the report
  EXPECT_EQ(forbidden_changes(added, snapshot(), Writes::none, "").size(), 5u);
}

}  // namespace
}  // namespace k9::api

namespace k9::api {
namespace {

// Issue 7's bad input on the result and embedding routes: each answers its status with a
// message naming the problem and leaves every stored item and file as it was.
TEST_F(AuthorizationMatrixTest, ResultRoutesRefuseBadInputAndChangeNothing) {
  std::string ready = new_report(alice_);
  // A report still waiting for its analysis (no worker runs here), and one whose analysis failed.
  auto created = call("POST", "/reports", R"({"title":"Later","reference":{"model":"Oak","images":[{"url":"https://example.com/a.jpg"}]}})", alice_);
  ASSERT_EQ(created.status, 201);
  std::string pending = json::value_to<std::string>(parse_json(created.body).at("id"));
  auto failed_job = jobs_->claim(analysis::kQueue, std::chrono::minutes(1));
  ASSERT_TRUE(failed_job);
  EXPECT_THROW(analysis_->run(*failed_job), Error);
  analysis_->fail(*failed_job, "reference.images[0].url is not an image K9 holds (upload it first)");
  jobs_->finish(*failed_job);
  std::string failed = pending;
  std::string empty_favorites = new_report(alice_);
  ASSERT_EQ(call("PUT", "/reports/" + empty_favorites + "/favorites", R"({"favorites":[]})", alice_).status, 200);
  created = call("POST", "/reports", R"({"title":"Queued","reference":{"model":"Oak","images":[{"url":"https://example.com/a.jpg"}]}})", alice_);
  pending = json::value_to<std::string>(parse_json(created.body).at("id"));  // its job stays queued

  struct Case {
    std::string method, path, body;
    int status;
    std::string message;  // a part of the error message
  };
  std::string search = "/reports/" + ready + "/search";
  std::vector<Case> cases = {
      {"POST", search, R"({"filters":{"color":{"primary":1.5}}})", 400, "filters.color.primary"},
      {"POST", search, R"({"filters":{"similarity":{"threshold":-0.1}}})", 400, "filters.similarity.threshold"},
      {"POST", search, R"({"filters":{"priceRange":{"min":50,"max":10}}})", 400, "filters.priceRange.min"},
      {"POST", search, R"({"page":0})", 400, "page"},
      {"POST", search, R"({"limit":101})", 400, "limit"},
      {"POST", search, R"({"filters":{"colour":{"primary":0.5}}})", 400, "filters.colour"},
      {"POST", search, R"({"filters":{"category":{"kind":"tile"}}})", 400, "filters.category.kind"},
      {"POST", search, R"({"sort":"cheapest"})", 400, "sort"},
      {"POST", search, R"({"filters":)", 400, "JSON"},
      {"POST", search, R"([1,2])", 400, "object"},
      {"POST", "/reports/" + pending + "/search", "{}", 409, "pending"},
      {"POST", "/reports/" + failed + "/search", "{}", 409, "reference.images[0].url"},
      {"GET", "/reports/" + pending + "/favorites", "", 409, "pending"},
      {"GET", "/reports/" + ready + "/products/not-in-catalog", "", 404, "Product not found"},
      {"GET", "/reports/" + empty_favorites + "/export", "", 400, "no favorites"},
      {"POST", "/embeddings/compute", R"({"product":{}})", 400, "product"},
      {"POST", "/embeddings/compute", R"({"product_data":{"id":"x","model":"m","images":[]}})", 400,
       "product_data.images"},
      {"POST", "/embeddings/compute",
       R"({"product_data":{"id":"x","model":"m","images":[{"url":"uploads/)" + bob_sub_ + R"(/x.png"}]}})", 400,
       "product_data.images[0].url"},
      {"POST", "/embeddings/compute",
       R"({"product_data":{"id":"x","model":"m","images":[{"url":"data:image/png;base64,bm90IGFuIGltYWdl"}]}})", 415,
       "product_data.images[0].url"},
      {"POST", "/embeddings/compute", R"({"product_data":{"id":"p-7","model":"m","images":[{"url":"data:image/png;base64,)" +
           base64_encode(photo(40, 1)) + R"("}]}})", 403, "catalog"},
      {"POST", "/embeddings/similarity", R"({"reference_product_id":"nobody"})", 404, "No embedding"},
      {"POST", "/embeddings/similarity", R"({"reference_product_id":7})", 400, "reference_product_id"},
      {"GET", "/embeddings/similarity/nobody", "", 404, "No embedding"},
  };
  for (auto& c : cases) {
    auto before = snapshot();
    auto r = call(c.method, c.path, c.body, alice_);
    auto after = snapshot();
    std::string what = c.method + " " + c.path + " " + c.body.substr(0, 80);
    EXPECT_EQ(r.status, c.status) << what << ": " << r.body;
    EXPECT_NE(r.body.find(c.message), std::string::npos) << what << ": " << r.body;
    if (c.status == 409) {
      bool retry_after = std::any_of(r.headers.begin(), r.headers.end(), [](auto& h) { return h.first == "Retry-After"; });
      EXPECT_EQ(retry_after, c.path.find(failed) == std::string::npos) << what << ": Retry-After only while it may change";
    }
    EXPECT_TRUE(forbidden_changes(before, after, Writes::none, "").empty()) << what << " changed the store";
  }
}

}  // namespace
}  // namespace k9::api

namespace k9::api {
namespace {

// Issue 16's bad input through the published web app's routes: another user's job id, a
// claimed job id, an oversized or non-image album file, a malformed search. Each answers its
// clear 4xx with K9's error body and leaves every stored item and file as it was.
TEST_F(AuthorizationMatrixTest, WebAppRoutesRefuseBadInputAndChangeNothing) {
  std::string job = new_report(alice_);
  const std::string fresh = "mxa0000000000__title__fresh";
  const std::string png = photo(40, 2);
  std::string oversized(images_->limits().max_bytes + 1, '\0');
  std::copy(png.begin(), png.end(), oversized.begin());
  struct Case {
    std::string method, path, body;
    const std::string* token;
    int status;
    std::string message;
  };
  std::vector<Case> cases = {
      {"GET", "/fetch/" + job, "", &bob_, 404, "Report not found"},
      {"POST", "/fetch/" + job, "{}", &bob_, 404, "Report not found"},
      {"PUT", "/report/" + job + "/favorites", R"({"product_ids":[]})", &bob_, 404, "Report not found"},
      {"PUT", "/fetch/" + job, R"({"type":"tile","images":["img0.png"]})", &bob_, 409, "already exists"},
      {"PUT", "/fetch/" + job, R"({"type":"tile","images":["img0.png"]})", &alice_, 409, "already exists"},
      {"PUT", "/fetch/" + job + "/album/img0.png", png, &bob_, 409, "already exists"},
      {"PUT", "/fetch/" + fresh + "/album/img0.png", oversized, &alice_, 413, "bytes are accepted"},
      {"PUT", "/fetch/" + fresh + "/album/img0.png", "not an image at all", &alice_, 415, "not a JPEG, PNG or WebP"},
      {"PUT", "/fetch/" + fresh, R"({"type":"tile","images":["img0.png"]})", &alice_, 400, "images[0]"},
      {"POST", "/fetch/" + job, R"({"color":{"primary":1.5}})", &alice_, 400, "color.primary"},
      {"POST", "/fetch/" + job, R"({"colour":{"primary":0.5}})", &alice_, 400, "Unknown field(s): colour"},
      {"POST", "/fetch/" + job, R"({"shape":{"length":"wide"}})", &alice_, 400, "shape.length"},
  };
  for (auto& c : cases) {
    auto before = snapshot();
    auto r = call(c.method, c.path, c.body, *c.token);
    auto after = snapshot();
    std::string what = c.method + " " + c.path + " " + c.body.substr(0, 60);
    EXPECT_EQ(r.status, c.status) << what << ": " << r.body;
    EXPECT_NE(r.body.find(c.message), std::string::npos) << what << ": " << r.body;
    auto err = parse_json(r.body).as_object();
    EXPECT_TRUE(err.contains("message") && err.contains("code")) << what;
    auto bad = forbidden_changes(before, after, Writes::none, "");
    EXPECT_TRUE(bad.empty()) << what << " changed " << (bad.empty() ? "" : bad.front());
  }
}

}  // namespace
}  // namespace k9::api
