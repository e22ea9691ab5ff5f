// The published web app's routes (api/webapp_routes.h, docs/WEBAPP.md) driven through the
// Handler as the app sends them (Content-Type: application/json on every call, the album's
// image type on uploads), on SQLite and on DynamoDB Local, with the analysis run by a worker
// pool as `k9 serve` runs it and a small catalog: the app's whole journey (album uploads,
// PUT /fetch/{job} answering 200 once the analysis is ready, the reference, searches with the
// app's filter bodies, a product, favorites, the dashboard), then the waits and the bad input,
// each leaving what is stored as it was.
#include "api/webapp_routes.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <opencv2/core.hpp>
#include <set>
#include <thread>

#include "api/app.h"
#include "codec/codec.h"
#include "core/encoding.h"
#include "core/json.h"
#include "core/random.h"
#include "jobs/worker_pool.h"
#include "store/dynamodb/dynamodb_local.h"
#include "testing/api_app.h"
#include "testing/embedded_api.h"

namespace k9::api {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using namespace identity::local;

// A photo of a material: a base colour with grain, darker stripes every `stripes` rows (0: none).
cv::Mat material(cv::Scalar bgr, int stripes, int side = 96) {
  cv::Mat m(side, side, CV_8UC3, bgr);
  cv::Mat grain(side, side, CV_8UC3);
  cv::randu(grain, cv::Scalar(0, 0, 0), cv::Scalar(24, 24, 24));
  m += grain;
  if (stripes > 0)
    for (int y = 0; y < side; y += stripes) m.row(y) = m.row(y) * 0.5;
  return m;
}

struct CatalogItem {
  std::string id, brand, model, type, material;
  cv::Scalar colour;
  int stripes;
  std::optional<std::string> length, width, thickness;  // inches, inches, mm
};

// The catalog: p-3 is what the journey photographs (a 12 x 6 in green ceramic tile, the app's
// default size); p-6 is the same size turned (6 x 12); p-5 has no format at all.
const std::vector<CatalogItem>& catalog() {
  static const std::vector<CatalogItem> items = {
      {"p-1", "Timber Co", "Walnut 48", "Wood", "Walnut", {60, 90, 140}, 6, "48", "8", "12"},
      {"p-2", "Stonecraft", "Carrara 24", "Tile", "Marble", {220, 220, 225}, 0, "24", "12", "10"},
      {"p-3", "Verde", "Sage 12", "Tile", "Ceramic", {90, 160, 110}, 12, "12", "6", "8"},
      {"p-4", "Azul", "Navy 24", "Tile", "Porcelain", {150, 60, 30}, 0, "12", "24", "9"},
      {"p-5", "Loose", "No size", "Tile", "Ceramic", {100, 150, 120}, 12, std::nullopt, std::nullopt, std::nullopt},
      {"p-6", "Verde", "Sage turned", "Tile", "Ceramic", {95, 150, 105}, 10, "6", "12", "8.4"},
  };
  return items;
}

// The app's default search of a reference without thickness (docs/WEBAPP.md R8), literally.
const std::string kDefaultSearch =
    R"({"type_":{"type":0.2,"material":0.2,"missing":true},)"
    R"("shape":{"missing":true,"length":1,"width":1},)"
    R"("color":{"missing":true,"primary":0.5,"secondary":0.5},)"
    R"("pattern":{"missing":true,"primary":0.5,"secondary":0.5}})";

class WebAppRoutesTest : public testing::TestWithParam<std::string>, protected testkit::EmbeddedApi {
 protected:
  WebAppRoutesTest() : EmbeddedApi("webapp-test") {}
  bool on_dynamodb() const { return GetParam() == "dynamodb"; }

  void SetUp() override {
    wire(on_dynamodb() ? store::dynamodb::dynamodb_local().store : nullptr,
         {.environment = "w" + hex_encode(random_bytes(6)),
          .public_url = "http://127.0.0.1:3001",
          // small, so that an oversized album file is cheap to send
          .upload_limits = {.max_bytes = 512 * 1024},
          .matrix_cache_bytes = 64u << 20});
    for (auto& item : catalog()) add_product(item);
    snapshots_->ensure(*products_, *embeddings_, extractor_.model_version());

    jobs::WorkerOptions o;
    o.threads = 1;
    o.poll = 50ms;
    o.backoff_base = 10ms;
    workers_ = std::make_unique<jobs::WorkerPool>(
        *jobs_, analysis::kQueue, [this](const jobs::Job& j) { analysis_->run(j); },
        [this](const jobs::Job& j, const std::string& m) { analysis_->fail(j, m); }, o);
    make_app(5s);
    workers_->start();

    auto alice = creds_->add("alice", "correct-horse-1", false, "Alice");
    alice_sub_ = alice.sub;
    alice_ = issuer_->issue(alice).id_token;
    bob_ = issuer_->issue(creds_->add("bob", "correct-horse-2", false, "Bob")).id_token;
  }
  void TearDown() override {
    if (workers_) workers_->stop();
    app_.reset();
    retired_.clear();
  }

  void make_app(std::chrono::milliseconds wait) {
    testkit::ApiServices s = all_services();
    s.cache_report_lists = !on_dynamodb();
    s.analysis_queued = [this] {
      if (workers_) workers_->wake();
    };
    s.webapp.analysis_wait = wait;
    s.webapp.analysis_poll = 50ms;
    // A replaced App stays alive: its route groups listen to the repository's changes.
    if (app_) retired_.push_back(std::move(app_));
    app_ = testkit::make_app(s);
  }

  void add_product(const CatalogItem& item) {
    Product p;
    p.id = item.id;
    p.brand = item.brand;
    p.model = item.model;
    p.category.type = item.type;
    p.category.material = item.material;
    std::string key = "catalog/" + item.id + "/1.png";
    std::string png = codec::encode_png(material(item.colour, item.stripes));
    blobs_->put(key, png, "image/png");
    ProductImage image;
    image.id = "i-" + item.id;
    image.url = key;
    p.images.push_back(image);
    if (item.length || item.width || item.thickness) {
      Format f;
      if (item.length) f.length = Dimension{Decimal{*item.length}, "in"};
      if (item.width) f.width = Dimension{Decimal{*item.width}, "in"};
      if (item.thickness) f.thickness = Dimension{Decimal{*item.thickness}, "mm"};
      f.vendors.push_back({item.id + "-sku", "Shop " + item.brand, item.model, std::nullopt, false,
                           "https://shop.example/" + item.id});
      p.formats.push_back(f);
    }
    products_->put(p, "hash-" + item.id);
    repo::Embedding e;
    e.product_id = item.id;
    e.model_version = extractor_.model_version();
    e.dimension = extractor_.dimension();
    e.vectors = extractor_.extract({png}).vector;
    embeddings_->put(e);
  }

  // A request as the app sends it: JSON content type on every call (GET included).
  Response call(const std::string& method, const std::string& path, const std::string& body = "",
                const std::string& token = "", std::map<std::string, std::string> query = {},
                const std::string& content_type = "application/json") {
    return testkit::call(*app_, method, path, body, token, std::move(query), content_type);
  }
  Response album(const std::string& job, const std::string& file, const std::string& bytes,
                 const std::string& token, const std::string& type = "image/png") {
    return call("PUT", "/fetch/" + job + "/album/" + file, bytes, token, {}, type);
  }
  static json::value body(const Response& r) { return parse_json(r.body); }
  static std::string message(const Response& r) { return std::string(body(r).at("message").as_string()); }
  static double num(const json::value& v) { return v.to_number<double>(); }

  // Creates a job as the app does: its photos into the album, then PUT /fetch/{job}.
  Response create_job(const std::string& job, const std::string& token, const std::string& extra = "",
                      int photos = 2) {
    std::vector<std::string> names;
    for (int i = 0; i < photos; ++i) {
      cv::Mat m = material({90, 160, 110}, 12, 120);
      bool png = i % 2 == 0;
      std::string name = "img" + std::to_string(i) + (png ? ".png" : ".jpg");
      auto up = album(job, name, png ? codec::encode_png(m) : codec::encode_jpeg(m, 92), token,
                      png ? "image/png" : "image/jpeg");
      EXPECT_EQ(up.status, 200) << up.body;
      names.push_back("\"" + name + "\"");
    }
    std::string images;
    for (auto& n : names) images += (images.empty() ? "" : ",") + n;
    std::string fields = extra.empty() ? R"("length":12,"width":6,"thickness":null)" : extra;
    return call("PUT", "/fetch/" + job, R"({"type":"tile","material":"ceramic",)" + fields + R"(,"images":[)" + images + "]}",
                token);
  }

  // What the users have stored, as K9's own routes and the blob folder show it: reports with
  // their analysis, favorites and times, and every file with its size. Image links lose their
  // signatures (their expiry is taken from the clock's second).
  std::string state() {
    std::string out = stored();
    for (size_t at; (at = out.find("?expires=")) != std::string::npos;) out.erase(at, out.find('"', at) - at);
    return out;
  }
  std::string stored() {
    std::string out;
    for (auto* t : {&alice_, &bob_}) {
      auto list = call("GET", "/reports", "", *t, {{"limit", "100"}});
      out += list.body + "\n";
      auto page = body(list);
      for (auto& r : page.at("reports").as_array()) {
        auto full = body(call("GET", "/reports/" + std::string(r.at("id").as_string()), "", *t)).as_object();
        out += json::serialize(full.at("favorites")) + json::serialize(full.at("analysis")) + "\n";
      }
    }
    if (fs::exists(dir_ / "blobs")) {
      std::set<std::string> files;
      for (auto& e : fs::recursive_directory_iterator(dir_ / "blobs"))
        if (e.is_regular_file()) files.insert(fs::relative(e.path(), dir_ / "blobs").string() + " " +
                                              std::to_string(e.file_size()));
      for (auto& f : files) out += f + "\n";
    }
    return out;
  }
  std::vector<std::string> uploads_of(const std::string& sub) {
    std::vector<std::string> out;
    fs::path folder = dir_ / "blobs" / "uploads" / sub;
    if (fs::exists(folder))
      for (auto& e : fs::directory_iterator(folder)) out.push_back(e.path().filename().string());
    return out;
  }
  // The app's own overall value of a result (originalApiAdapter.ts transformSearchResultToProduct).
  static double app_similarity(const json::value& result) {
    auto& s = result.at("scores");
    double sum = num(s.at("color").at("primary")) + num(s.at("color").at("secondary")) +
                 num(s.at("pattern").at("primary")) + num(s.at("pattern").at("secondary"));
    return 1 - sum / 4;
  }
  // A result without the signatures of its image links (they change with the second they
  // were signed in).
  static json::value unsigned_links(json::value result) {
    for (auto& u : result.at("images").as_array()) {
      std::string s(u.as_string());
      u = s.substr(0, s.find('?'));
    }
    return result;
  }
  static std::vector<std::string> ids(const json::value& results) {
    std::vector<std::string> out;
    for (auto& r : results.as_array()) out.emplace_back(r.at("id").as_string());
    return out;
  }

  std::unique_ptr<jobs::WorkerPool> workers_;
  std::unique_ptr<App> app_;
  std::vector<std::unique_ptr<App>> retired_;
  std::string alice_, bob_, alice_sub_;
};

INSTANTIATE_TEST_SUITE_P(Stores, WebAppRoutesTest, testing::Values("sqlite", "dynamodb"),
                         [](const testing::TestParamInfo<std::string>& i) { return i.param; });

TEST_P(WebAppRoutesTest, TheAppsJourney) {
  const std::string job = "mx9e1caoqifx2d__title__kitchen-floor";

  // The dashboard of a new user: an empty array.
  auto list = call("GET", "/report", "", alice_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body, "[]");

  // Album uploads before the job exists, then the job: exactly 200 once the analysis is ready.
  auto created = create_job(job, alice_);
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(body(created).at("id").as_string(), job);
  EXPECT_EQ(body(created).at("title"), "Kitchen Floor");
  EXPECT_EQ(body(created).at("analysis").at("status"), "ready");
  EXPECT_TRUE(uploads_of(alice_sub_).empty()) << "the album files were copied into the report and removed";

  // The dashboard: one card, the job id, a full timestamp, an absolute signed image link.
  list = call("GET", "/report", "", alice_);
  ASSERT_EQ(list.status, 200);
  auto cards = body(list).as_array();
  ASSERT_EQ(cards.size(), 1u);
  EXPECT_EQ(cards[0].as_object().size(), 3u);
  EXPECT_EQ(cards[0].at("job").as_string(), job);
  EXPECT_EQ(cards[0].at("created").as_string().size(), 24u);  // 2026-12-04T19:40:00.123Z
  EXPECT_TRUE(cards[0].at("reference").as_string().starts_with("http://127.0.0.1:3001/files/images/"))
      << cards[0];

  // The reference: the old API's six keys, inches and mm, absolute image links.
  auto ref = call("GET", "/fetch/" + job, "", alice_);
  ASSERT_EQ(ref.status, 200) << ref.body;
  EXPECT_EQ(body(ref).as_object().size(), 6u) << ref.body;
  auto r = body(ref);
  EXPECT_EQ(r.at("type"), "tile");
  EXPECT_EQ(r.at("material"), "ceramic");
  EXPECT_EQ(num(r.at("length")), 12);
  EXPECT_EQ(num(r.at("width")), 6);
  EXPECT_TRUE(r.at("thickness").is_null());
  ASSERT_EQ(r.at("images").as_array().size(), 2u);
  for (auto& u : r.at("images").as_array())
    EXPECT_TRUE(u.as_string().starts_with("http://127.0.0.1:3001/files/images/")) << u;

  // The default search, literally as the app sends it: the photographed product first, every
  // result within the thresholds (distances <= 0.5) and the +-1 in tolerances, in the app's order.
  auto found = call("POST", "/fetch/" + job, kDefaultSearch, alice_);
  ASSERT_EQ(found.status, 200) << found.body;
  auto results = body(found);
  ASSERT_FALSE(results.as_array().empty());
  EXPECT_EQ(results.at(0).at("id"), "p-3");
  double last = 2;
  for (auto& x : results.as_array()) {
    std::string id(x.at("id").as_string());
    EXPECT_TRUE(id == "p-3" || id == "p-5" || id == "p-6") << id << " is not 12 x 6 in +-1 (nor without a size)";
    for (const char* g : {"color", "pattern"})
      for (const char* k : {"primary", "secondary"}) EXPECT_LE(num(x.at("scores").at(g).at(k)), 0.5) << id << " " << g;
    double mine = app_similarity(x);
    EXPECT_LE(mine, last + 1e-9) << "not in the app's order at " << id;
    last = mine;
    EXPECT_NEAR(num(x.at("match")), 1 - mine, 2e-4) << "match is the distance the favorites view reads";
  }
  auto top = results.at(0);
  EXPECT_GT(app_similarity(top), 0.8);
  EXPECT_EQ(top.at("images").as_array().size(), 1u);
  EXPECT_TRUE(top.at("images").at(0).as_string().starts_with("http://127.0.0.1:3001/files/catalog/p-3/1.png?"));
  auto d = top.at("description");
  EXPECT_EQ(d.at("store"), "Verde");
  EXPECT_EQ(d.at("name"), "Sage 12");
  EXPECT_EQ(d.at("url"), "https://shop.example/p-3");
  EXPECT_EQ(d.at("material"), "Ceramic");
  EXPECT_NEAR(num(d.at("length")), 30.48, 1e-9);  // centimetres: the app divides by 2.54
  EXPECT_NEAR(num(d.at("width")), 15.24, 1e-9);
  EXPECT_NEAR(num(d.at("thickness")), 8, 1e-9);  // millimetres
  EXPECT_EQ(top.at("scores").as_object().size(), 3u);
  EXPECT_NEAR(num(top.at("scores").at("shape").at("length")), 0, 1e-9);  // same length: distance 0

  // K9's own search on the same report agrees: a distance is 1 - K9's similarity.
  auto native = call("POST", "/reports/" + job + "/search", R"({"limit":100})", alice_);
  ASSERT_EQ(native.status, 200) << native.body;
  bool compared = false;
  auto native_page = body(native);
  for (auto& p : native_page.at("products").as_array()) {
    if (p.at("id") != "p-3") continue;
    EXPECT_NEAR(num(p.at("analysis").at("color").at("primary").at("similarity")),
                1 - num(top.at("scores").at("color").at("primary")), 2e-4);
    compared = true;
  }
  EXPECT_TRUE(compared);

  // Shape tolerances alone (sliders at 0: no colour or pattern value): 12 x 6 +-1 in,
  // orientation-free (p-6 is 6 x 12); `missing: false` drops p-5, which has no size.
  auto shaped = call("POST", "/fetch/" + job,
                     R"({"type_":{"type":0.2,"material":0.2,"missing":true},"shape":{"missing":false,"length":1,"width":1},)"
                     R"("color":{"missing":true},"pattern":{"missing":true}})",
                     alice_);
  ASSERT_EQ(shaped.status, 200) << shaped.body;
  auto shaped_ids = ids(body(shaped));
  EXPECT_EQ(std::set<std::string>(shaped_ids.begin(), shaped_ids.end()), (std::set<std::string>{"p-3", "p-6"}));
  auto with_missing = ids(body(call("POST", "/fetch/" + job,
                                    R"({"shape":{"missing":true,"length":1,"width":1},"color":{"missing":true}})", alice_)));
  EXPECT_EQ(std::set<std::string>(with_missing.begin(), with_missing.end()),
            (std::set<std::string>{"p-3", "p-5", "p-6"}));
  // Wide tolerances: everything, best first; `start` pages by offset.
  auto all = ids(body(call("POST", "/fetch/" + job, R"({"shape":{"missing":true,"length":1000,"width":1000}})", alice_)));
  EXPECT_EQ(all.size(), catalog().size());
  EXPECT_EQ(all.front(), "p-3");
  auto rest = ids(body(call("POST", "/fetch/" + job, R"({"shape":{"missing":true,"length":1000,"width":1000}})",
                            alice_, {{"start", "2"}})));
  EXPECT_EQ(rest, std::vector<std::string>(all.begin() + 2, all.end()));
  EXPECT_EQ(call("POST", "/fetch/" + job, "{}", alice_, {{"start", "100"}}).body, "[]");
  // A strict colour value (slider at 100: distance 0) keeps nothing but identical colours.
  auto strict = call("POST", "/fetch/" + job, R"({"color":{"missing":false,"primary":0}})", alice_);
  ASSERT_EQ(strict.status, 200);
  auto strict_results = body(strict);
  for (auto& x : strict_results.as_array()) EXPECT_EQ(num(x.at("scores").at("color").at("primary")), 0);

  // One product beside the reference: the same result object.
  auto product = call("GET", "/fetch/" + job + "/product/p-3", "", alice_);
  ASSERT_EQ(product.status, 200) << product.body;
  EXPECT_EQ(unsigned_links(body(product)), unsigned_links(top));
  EXPECT_EQ(call("GET", "/fetch/" + job + "/product/p-404", "", alice_).status, 404);

  // Favorites: none yet, then the app's whole-list PUT and the toggle POST, each exactly 200.
  EXPECT_EQ(call("GET", "/report/" + job + "/favorites", "", alice_).body, "[]");
  auto put = call("PUT", "/report/" + job + "/favorites", R"({"product_ids":["p-3","p-1","p-3"]})", alice_);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(body(put), parse_json(R"({"product_ids":["p-3","p-1"]})"));
  auto favs = call("GET", "/report/" + job + "/favorites", "", alice_);
  ASSERT_EQ(favs.status, 200) << favs.body;
  EXPECT_EQ(ids(body(favs)), (std::vector<std::string>{"p-3", "p-1"}));
  EXPECT_EQ(unsigned_links(body(favs).at(0)), unsigned_links(top));  // the favorites view shows 1 - match
  auto toggled = call("POST", "/report/" + job + "/favorites", R"({"product_id":"p-1"})", alice_);
  ASSERT_EQ(toggled.status, 200) << toggled.body;
  EXPECT_EQ(body(toggled), parse_json(R"({"product_ids":["p-3"]})"));
  // One data model: K9's own routes see the same report and favorites.
  auto k9 = call("GET", "/reports/" + job, "", alice_);
  ASSERT_EQ(k9.status, 200);
  EXPECT_EQ(body(k9).at("favorites"), parse_json(R"(["p-3"])"));
  EXPECT_EQ(body(k9).at("title"), "Kitchen Floor");
  EXPECT_EQ(body(k9).at("reference").at("category").at("type"), "Tile");
  EXPECT_EQ(body(k9).at("reference").at("formats").at(0).at("length"), parse_json(R"({"val":12,"unit":"in"})"));

  // A report made through K9's own routes shows on the dashboard as <id>__title__<title> and
  // opens through the app's routes.
  auto up = call("PUT", "/uploads/mine.png", codec::encode_png(material({60, 90, 140}, 6)), alice_, {}, "image/png");
  ASSERT_EQ(up.status, 201);
  std::string key(body(up).at("key").as_string());
  auto native_report = call("POST", "/reports",
                            R"({"title":"Walnut Hall","reference":{"model":"Mine","images":[{"url":")" + key + R"("}]}})",
                            alice_);
  ASSERT_EQ(native_report.status, 201);
  std::string native_id(body(native_report).at("id").as_string());
  list = call("GET", "/report", "", alice_);
  ASSERT_EQ(body(list).as_array().size(), 2u);
  EXPECT_EQ(body(list).at(0).at("job").as_string(), native_id + "__title__walnut-hall");  // newest first
  EXPECT_EQ(body(list).at(1).at("job").as_string(), job);
  auto native_ref = call("GET", "/fetch/" + native_id + "__title__walnut-hall", "", alice_);
  ASSERT_EQ(native_ref.status, 200) << native_ref.body;
  EXPECT_EQ(body(native_ref).at("type"), "");  // no category: strings, never null
  EXPECT_TRUE(body(native_ref).at("length").is_null());
  auto native_found = call("POST", "/fetch/" + native_id + "__title__walnut-hall", "{}", alice_);  // waits, never 409
  ASSERT_EQ(native_found.status, 200) << native_found.body;
  EXPECT_EQ(body(native_found).at(0).at("id"), "p-1");

  // Another user sees none of it.
  EXPECT_EQ(call("GET", "/report", "", bob_).body, "[]");
}

// The create waits for the analysis; past the bound 503 with Retry-After (never 409), the
// report is kept and the result routes wait for it too, again 503 past the bound.
TEST_P(WebAppRoutesTest, WaitsForTheAnalysisAndAnswers503PastTheBound) {
  workers_->stop();
  make_app(300ms);
  const std::string job = "mxa000000000001__title__slow";
  auto t0 = std::chrono::steady_clock::now();
  auto created = create_job(job, alice_);
  EXPECT_EQ(created.status, 503) << created.body;
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 300ms);
  EXPECT_NE(message(created).find("dashboard"), std::string::npos);
  bool retry_after = false;
  for (auto& [k, v] : created.headers) retry_after = retry_after || (k == "Retry-After" && v == "5");
  EXPECT_TRUE(retry_after);
  auto search = call("POST", "/fetch/" + job, kDefaultSearch, alice_);
  EXPECT_EQ(search.status, 503) << "the app shows invented products on a 409";
  EXPECT_EQ(call("GET", "/fetch/" + job + "/product/p-3", "", alice_).status, 503);
  EXPECT_EQ(call("GET", "/report/" + job + "/favorites", "", alice_).body, "[]") << "no favorites: at once";
  ASSERT_EQ(call("PUT", "/report/" + job + "/favorites", R"({"product_ids":["p-3"]})", alice_).status, 200);
  EXPECT_EQ(call("GET", "/report/" + job + "/favorites", "", alice_).status, 503);
  EXPECT_EQ(call("GET", "/fetch/" + job, "", alice_).status, 200) << "the reference never waits";
  ASSERT_EQ(body(call("GET", "/report", "", alice_)).as_array().size(), 1u) << "pending reports are listed";

  // Workers come back: a waiting search returns as soon as the analysis is ready.
  make_app(20s);
  std::jthread later([this] {
    std::this_thread::sleep_for(200ms);
    workers_->start();
    workers_->wake();
  });
  search = call("POST", "/fetch/" + job, kDefaultSearch, alice_);
  ASSERT_EQ(search.status, 200) << search.body;
  EXPECT_EQ(body(search).at(0).at("id"), "p-3");
  EXPECT_EQ(ids(body(call("GET", "/report/" + job + "/favorites", "", alice_))), std::vector<std::string>{"p-3"});
}

// An analysis that fails (a photo with no material: fully transparent) is a 400 saying why;
// the report is removed and the album stays as it was before the call.
TEST_P(WebAppRoutesTest, AFailedAnalysisIs400AndLeavesNoReport) {
  const std::string job = "mxa000000000002__title__clear";
  cv::Mat clear(64, 64, CV_8UC4, cv::Scalar(10, 200, 10, 0));
  ASSERT_EQ(album(job, "img0.png", codec::encode_png(clear), alice_).status, 200);
  auto before = state();
  auto created = call("PUT", "/fetch/" + job, R"({"type":"tile","material":"ceramic","length":12,"width":6,"thickness":null,"images":["img0.png"]})", alice_);
  EXPECT_EQ(created.status, 400) << created.body;
  EXPECT_NE(message(created).find("transparent"), std::string::npos) << created.body;
  EXPECT_EQ(state(), before);
  EXPECT_EQ(call("GET", "/fetch/" + job, "", alice_).status, 404);
  EXPECT_EQ(call("GET", "/report", "", alice_).body, "[]");
}

// A job id of up to 256 characters (the app's ids pass 128 with long titles), with a thickness:
// the thickness tolerance is in mm.
TEST_P(WebAppRoutesTest, LongJobIdsAndThicknessTolerance) {
  const std::string job = "mxa000000000003__title__" + std::string(232, 'a');
  ASSERT_EQ(job.size(), 256u);
  auto created = create_job(job, alice_, R"("length":12,"width":6,"thickness":8)", 1);
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(body(created).at("title").as_string().size(), 200u);
  EXPECT_TRUE(body(created).at("title").as_string().starts_with("Aaaa"));
  auto ref = body(call("GET", "/fetch/" + job, "", alice_));
  EXPECT_EQ(num(ref.at("thickness")), 8);
  // Thickness 8 mm +-0.5: p-3 (8), p-6 (8.4); p-5 (no thickness) only with missing.
  auto found = ids(body(call("POST", "/fetch/" + job, R"({"shape":{"missing":false,"thickness":0.5}})", alice_)));
  EXPECT_EQ(std::set<std::string>(found.begin(), found.end()), (std::set<std::string>{"p-3", "p-6"}));
  found = ids(body(call("POST", "/fetch/" + job, R"({"shape":{"missing":true,"thickness":0.5}})", alice_)));
  EXPECT_EQ(std::set<std::string>(found.begin(), found.end()), (std::set<std::string>{"p-3", "p-5", "p-6"}));
  found = ids(body(call("POST", "/fetch/" + job, R"({"shape":{"missing":true,"thickness":0.3}})", alice_)));
  EXPECT_EQ(std::set<std::string>(found.begin(), found.end()), (std::set<std::string>{"p-3", "p-5"}));
  EXPECT_EQ(call("PUT", "/fetch/" + job + "a", "{}", alice_).status, 400) << "257 characters";
  EXPECT_EQ(call("GET", "/fetch/" + job + "a", "", alice_).status, 404);
}

// At most 50 results per answer; `start` is the offset of the next ones.
TEST_P(WebAppRoutesTest, FiftyResultsPerAnswer) {
  for (int i = 0; i < 55; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "f-%02d", i);
    add_product({id, "Filler", "Grey " + std::to_string(i), "Tile", "Ceramic", {128, 128, 128}, 0, std::nullopt,
                 std::nullopt, std::nullopt});
  }
  snapshots_->ensure(*products_, *embeddings_, extractor_.model_version());
  const std::string job = "mxa000000000004__title__many";
  ASSERT_EQ(create_job(job, alice_, "", 1).status, 200);
  auto first = ids(body(call("POST", "/fetch/" + job, "{}", alice_)));
  auto next = ids(body(call("POST", "/fetch/" + job, "{}", alice_, {{"start", "50"}})));
  EXPECT_EQ(first.size(), 50u);
  EXPECT_EQ(next.size(), catalog().size() + 55 - 50);
  EXPECT_EQ(first.front(), "p-3");
  std::set<std::string> every(first.begin(), first.end());
  every.insert(next.begin(), next.end());
  EXPECT_EQ(every.size(), catalog().size() + 55);
}

// Bad input through the app's routes: K9's clear 4xx with its error body, and nothing stored
// changes (another user's job, a taken job id, album files that are too large or not images,
// malformed searches and bodies).
TEST_P(WebAppRoutesTest, BadInputIsAClear4xxAndChangesNothing) {
  const std::string job = "mxa000000000005__title__mine";
  ASSERT_EQ(create_job(job, alice_).status, 200);
  ASSERT_EQ(call("PUT", "/report/" + job + "/favorites", R"({"product_ids":["p-3"]})", alice_).status, 200);
  const std::string fresh = "mxa000000000006__title__fresh";
  const std::string png = codec::encode_png(material({90, 160, 110}, 12));
  // Another job's album holds an img0.png: it is no file of `fresh`'s.
  ASSERT_EQ(album("mxa000000000007__title__elsewhere", "img0.png", png, alice_).status, 200);

  struct Case {
    std::string method, path, body, token_of;
    int status;
    std::string message;  // a part of the error message
    std::string content_type = "application/json";
    std::map<std::string, std::string> query = {};
  };
  std::string big(600 * 1024, 'x');
  std::copy(png.begin(), png.end(), big.begin());
  std::vector<Case> cases = {
      // Another user's job: 404 on every read and change, as if it did not exist.
      {"GET", "/fetch/" + job, "", "bob", 404, "Report not found"},
      {"POST", "/fetch/" + job, kDefaultSearch, "bob", 404, "Report not found"},
      {"GET", "/fetch/" + job + "/product/p-3", "", "bob", 404, "Report not found"},
      {"GET", "/report/" + job + "/favorites", "", "bob", 404, "Report not found"},
      {"PUT", "/report/" + job + "/favorites", R"({"product_ids":["p-1"]})", "bob", 404, "Report not found"},
      {"POST", "/report/" + job + "/favorites", R"({"product_id":"p-1"})", "bob", 404, "Report not found"},
      // A taken job id can never be claimed, by anyone: 409, nothing stored.
      {"PUT", "/fetch/" + job, R"({"type":"tile","material":"ceramic","length":12,"width":6,"thickness":null,"images":["img0.png"]})",
       "bob", 409, "already exists"},
      {"PUT", "/fetch/" + job, R"({"type":"tile","material":"ceramic","images":["img0.png"]})", "alice", 409,
       "already exists"},
      {"PUT", "/fetch/" + job + "/album/img9.png", png, "bob", 409, "already exists", "image/png"},
      {"PUT", "/fetch/" + job + "/album/img9.png", png, "alice", 409, "already exists", "image/png"},
      // Album files: too large, not an image, empty, a bad name or job id.
      {"PUT", "/fetch/" + fresh + "/album/img0.png", big, "alice", 413, "at most 524288 bytes", "image/png"},
      {"PUT", "/fetch/" + fresh + "/album/img0.gif", "GIF89a\x01\x00\x01\x00", "alice", 415, "not a JPEG, PNG or WebP",
       "image/gif"},
      {"PUT", "/fetch/" + fresh + "/album/img0.png", "just text", "alice", 415, "not a JPEG, PNG or WebP", ""},
      {"PUT", "/fetch/" + fresh + "/album/img0.png", "", "alice", 400, "empty", "image/png"},
      {"PUT", "/fetch/" + fresh + "/album/.hidden", png, "alice", 400, "file must be", "image/png"},
      {"PUT", "/fetch/bad%20job/album/img0.png", png, "alice", 400, "job must be", "image/png"},
      // The job's body: album files it does not have, unknown fields, bad values, not JSON.
      {"PUT", "/fetch/" + fresh, R"({"type":"tile","material":"ceramic","images":["img0.png"]})", "alice", 400,
       "images[0] must be the name of one of this job's album files"},
      {"PUT", "/fetch/" + fresh, R"({"type":"tile","material":"ceramic","images":["https://example.com/a.jpg"]})",
       "alice", 400, "images[0]"},
      {"PUT", "/fetch/" + fresh, R"({"type":"tile","material":"ceramic","images":[]})", "alice", 400,
       "at least one album file"},
      {"PUT", "/fetch/" + fresh, R"({"type":"tile","colour":"red","images":["img0.png"]})", "alice", 400,
       "Unknown field(s): colour"},
      {"PUT", "/fetch/" + fresh, R"({"type":"tile","length":-12,"images":["img0.png"]})", "alice", 400,
       "length must be more than 0"},
      {"PUT", "/fetch/" + fresh, R"({"type":7,"images":["img0.png"]})", "alice", 400, "type must be a string"},
      {"PUT", "/fetch/" + fresh, R"({"type":"tile")", "alice", 400, "JSON"},
      {"PUT", "/fetch/" + fresh, R"({"type":"tile","images":["img0.png"]})", "alice", 415, "application/json",
       "text/plain"},
      // Malformed searches: 400 naming the field (and never a wait).
      {"POST", "/fetch/" + job, R"({"color":{"primary":1.5}})", "alice", 400, "color.primary must be between 0 and 1"},
      {"POST", "/fetch/" + job, R"({"colour":{"primary":0.5}})", "alice", 400, "Unknown field(s): colour"},
      {"POST", "/fetch/" + job, R"({"color":{"quaternary":0.5}})", "alice", 400, "Unknown field(s): color.quaternary"},
      {"POST", "/fetch/" + job, R"({"shape":{"length":-1}})", "alice", 400, "shape.length must be between 0 and 1000"},
      {"POST", "/fetch/" + job, R"({"type_":{"type":2}})", "alice", 400, "type_.type must be between 0 and 1"},
      {"POST", "/fetch/" + job, R"({"pattern":{"missing":"yes"}})", "alice", 400, "pattern.missing must be a boolean"},
      {"POST", "/fetch/" + job, R"({"color":"0.5"})", "alice", 400, "color must be an object"},
      {"POST", "/fetch/" + job, R"([1,2])", "alice", 400, "object"},
      {"POST", "/fetch/" + job, "{}", "alice", 400, "start must be an integer", "application/json", {{"start", "-1"}}},
      {"POST", "/fetch/" + job, "{}", "alice", 400, "start must be an integer", "application/json", {{"start", "ten"}}},
      {"GET", "/fetch/" + job + "/product/bad%id", "", "alice", 400, "productId must be"},
      // Favorites bodies.
      {"PUT", "/report/" + job + "/favorites", R"({"favorites":["p-1"]})", "alice", 400, "Unknown field(s): favorites"},
      {"PUT", "/report/" + job + "/favorites", R"({"product_ids":"p-1"})", "alice", 400, "product_ids must be an array"},
      {"PUT", "/report/" + job + "/favorites", R"({"product_ids":["bad id"]})", "alice", 400, "product_ids[0] must be"},
      {"POST", "/report/" + job + "/favorites", R"({"product_id":7})", "alice", 400, "product_id must be a string"},
      // No token.
      {"GET", "/report", "", "", 401, "Authorization"},
  };
  for (auto& c : cases) {
    auto before = state();
    auto* token = c.token_of == "alice" ? &alice_ : c.token_of == "bob" ? &bob_ : nullptr;
    auto r = call(c.method, c.path, c.body, token ? *token : "", c.query, c.content_type);
    auto after = state();
    std::string what = c.method + " " + c.path + " " + c.body.substr(0, 60) + " as " + c.token_of;
    EXPECT_EQ(r.status, c.status) << what << ": " << r.body;
    auto err = body(r).as_object();
    EXPECT_TRUE(err.contains("message") && err.contains("code")) << what << ": " << r.body;
    EXPECT_NE(r.body.find(c.message), std::string::npos) << what << ": " << r.body;
    EXPECT_EQ(after, before) << what << " changed what is stored";
  }
  EXPECT_EQ(uploads_of(alice_sub_).size(), 1u) << "only the other job's album file";
}

// The app's title and job id helpers, against what its own code computes (jobIdentifiers.ts,
// run with node: docs/WEBAPP.md 5.1).
TEST(WebAppJobIds, AsTheAppComputesThem) {
  using namespace webapp;
  EXPECT_EQ(title_slug("Kitchen Floor"), "kitchen-floor");
  EXPECT_EQ(title_slug("  K\xC3\xBC" "che \xE2\x80\x93 Bad #2 "), "kche-bad-2");
  EXPECT_EQ(title_slug("my_room  (v2)"), "my_room-v2");
  EXPECT_EQ(title_slug("\xE6\x97\xA5\xE6\x9C\xAC"), "");
  EXPECT_EQ(title_slug("a\xC2\xA0" "b\xE3\x80\x80" "c"), "a-b-c");
  EXPECT_EQ(title_slug("--x--y--"), "x-y");
  EXPECT_EQ(title_slug("\xC4\xB0stanbul KELVIN \xE2\x84\xAA"), "istanbul-kelvin-k");
  EXPECT_EQ(title_of_job("mx9e1caoqifx2d__title__kitchen-floor"), "Kitchen Floor");
  EXPECT_EQ(title_of_job("mx9e1caoqifx2d__title__kche-bad-2"), "Kche Bad 2");
  EXPECT_EQ(title_of_job("mx9e1caoqifx2d__title__my_room-v2"), "My_room V2");
  EXPECT_EQ(title_of_job("mx9e1caoqifx2d__title__"), "Mx9e1caoqifx2d__title__");
  EXPECT_EQ(title_of_job("mx9e1caoqifx2d__title__2nd-floor_b-3rd"), "2nd Floor_b 3rd");
  EXPECT_EQ(title_of_job("a__title____title__x"), "__title__x");
  EXPECT_EQ(job_of("0193a0c2-7d4e", "Walnut Hall"), "0193a0c2-7d4e__title__walnut-hall");
  EXPECT_EQ(job_of("mx9e1caoqifx2d__title__kitchen-floor", "Renamed"), "mx9e1caoqifx2d__title__kitchen-floor");
  std::string long_id(128, 'x'), long_title(200, 'a');
  EXPECT_EQ(job_of(long_id, long_title).size(), 256u);  // within the bound: the slug is cut
  long_title[118] = ' ';
  EXPECT_EQ(job_of(long_id, long_title), long_id + "__title__" + std::string(118, 'a'));  // and ends in no '-' 
  EXPECT_EQ(album_upload_name("job-1", "img0.png").size(), 6 + 24 + 1 + 8u);
  EXPECT_NE(album_upload_name("job-1", "img0.png"), album_upload_name("job-2", "img0.png"));
}

}  // namespace
}  // namespace k9::api
