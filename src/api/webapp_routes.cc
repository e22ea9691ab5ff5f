#include "api/webapp_routes.h"

#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <initializer_list>

#include "api/openapi.h"
#include "api/responses.h"
#include "api/validation.h"
#include "core/decimal.h"
#include "core/encoding.h"
#include "core/json.h"
#include "core/json_codec.h"
#include "core/utf8.h"
#include "search/search.h"

namespace k9::api {

namespace json = boost::json;
using json_codec_detail::fail;
using search::Score;

namespace webapp {

namespace {

constexpr std::string_view kTitleMark = "__title__";

bool ascii_word(unsigned char c) { return std::isalnum(c) || c == '_'; }

// One code point of UTF-8 text at `i` (advancing i); U+FFFD for a malformed byte.
char32_t next_code_point(std::string_view s, size_t& i) {
  unsigned char c = s[i++];
  if (c < 0x80) return c;
  int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
  if (more < 0) return 0xFFFD;
  char32_t cp = c & (0x3F >> more);
  for (int k = 0; k < more; ++k) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  }
  return cp;
}

// JavaScript's \s (ECMAScript WhiteSpace and LineTerminator).
bool js_space(char32_t c) {
  return c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == ' ' || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 ||
         c == 0xFEFF;
}

}  // namespace

std::string title_slug(std::string_view title) {
  // toLowerCase, then \s+ -> '-', then [^\w-] dropped: only ASCII survives. Two non-ASCII
  // letters lower-case into ASCII ones (U+0130 -> "i" + a combining dot, U+212A KELVIN -> "k").
  std::string s;
  bool in_space = false;
  for (size_t i = 0; i < title.size();) {
    char32_t c = next_code_point(title, i);
    if (js_space(c)) {
      if (!in_space) s += '-';
      in_space = true;
      continue;
    }
    in_space = false;
    if (c == 0x130) c = 'i';
    if (c == 0x212A) c = 'k';
    if (c < 0x80 && (ascii_word(static_cast<unsigned char>(c)) || c == '-'))
      s += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  std::string out;  // '-' runs collapsed, none at either end
  for (char c : s)
    if (c != '-' || (!out.empty() && out.back() != '-')) out += c;
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string title_of_job(std::string_view job) {
  auto at = job.find(kTitleMark);
  std::string_view part = job;
  if (at != std::string_view::npos && at + kTitleMark.size() < job.size()) part = job.substr(at + kTitleMark.size());
  std::string out(part);
  for (auto& c : out)
    if (c == '-') c = ' ';
  for (size_t i = 0; i < out.size(); ++i) {
    unsigned char c = out[i];
    bool boundary = i == 0 || !ascii_word(static_cast<unsigned char>(out[i - 1]));
    if (boundary && c >= 'a' && c <= 'z') out[i] = static_cast<char>(c - 32);
  }
  return out;
}

std::string job_of(const std::string& id, const std::string& title) {
  if (id.find(kTitleMark) != std::string::npos) return id;
  std::string job = id + std::string(kTitleMark) + title_slug(title);
  if (job.size() > WebAppRoutes::kMaxJobChars) {  // a long id (the Python generation's): the title shortened
    job.resize(std::max(WebAppRoutes::kMaxJobChars, id.size() + kTitleMark.size()));
    while (job.back() == '-') job.pop_back();
  }
  return job;
}

std::string album_upload_name(const std::string& job, const std::string& file) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(job.data()), job.size(), digest);
  return "album-" + hex_encode(std::string_view(reinterpret_cast<const char*>(digest), 12)) + "-" + file;
}

}  // namespace webapp

namespace {

bool safe_id_char(unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':'; }

bool valid_job(const std::string& job) {
  return !job.empty() && job.size() <= WebAppRoutes::kMaxJobChars && std::all_of(job.begin(), job.end(), safe_id_char);
}

// {job} of a read or change: one that cannot be a report id is absent (as K9's report ids).
std::string existing_job(const std::string& job) {
  if (!valid_job(job)) throw not_found("Report not found");
  return job;
}

// {job} of a create: the client chose it, so a bad one is bad input.
std::string new_job(const std::string& job) {
  if (!valid_job(job))
    throw bad_request("job must be 1 to " + std::to_string(WebAppRoutes::kMaxJobChars) +
                      " characters of letters, digits and . _ : -");
  return job;
}

std::string album_file(const std::string& file) {
  try {
    uploads::checked_upload_name(file);
  } catch (const Error&) {
    throw bad_request("file must be 1 to " + std::to_string(WebAppRoutes::kMaxAlbumFileChars) +
                      " characters of letters, digits and . _ - (a file name, not starting with '.')");
  }
  if (file.size() > WebAppRoutes::kMaxAlbumFileChars)
    throw bad_request("file must be at most " + std::to_string(WebAppRoutes::kMaxAlbumFileChars) + " characters");
  return file;
}

std::string ascii_lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

// The app's capitalize(): first letter up, the rest down.
std::string capitalized(const std::string& s) {
  std::string out = ascii_lower(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

// Exactly these keys, else "Unknown field(s): ..." (as every K9 body).
void only_keys(const json::object& body, const std::vector<std::string_view>& keys, const std::string& path = "") {
  std::string unknown;
  for (auto& kv : body)
    if (std::find(keys.begin(), keys.end(), std::string_view(kv.key())) == keys.end())
      unknown += (unknown.empty() ? "" : ", ") + json_codec_detail::child(path, kv.key());
  if (!unknown.empty()) throw bad_request("Unknown field(s): " + unknown);
}

// ---- PUT /fetch/{job}: {type, material, length, width, thickness, images} ----

struct JobBody {
  std::string type, material;
  std::optional<Decimal> length, width, thickness;
  std::vector<std::string> images;
};

std::optional<Decimal> positive_or_null(const json::object& body, const char* key) {
  auto* v = body.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_bool()) fail(key, "must be a number");
  Decimal d = json_codec_detail::decimal_from(*v, key);
  if (compare_decimals(d.text, "0") <= 0) fail(key, "must be more than 0 (or null)");
  return d;
}

std::string text_or_empty(const json::object& body, const char* key) {
  auto* v = body.if_contains(key);
  if (!v || v->is_null()) return "";
  if (!v->is_string()) fail(key, "must be a string");
  std::string s(v->get_string());
  if (!valid_utf8(s)) fail(key, "must be UTF-8 text");
  if (utf8_length(s) > kMaxNameChars) fail(key, "must be at most " + std::to_string(kMaxNameChars) + " characters");
  auto first = s.find_first_not_of(" \t\r\n"), last = s.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? "" : s.substr(first, last - first + 1);
}

JobBody decode_job_body(const json::object& body) {
  only_keys(body, {"type", "material", "length", "width", "thickness", "images"});
  JobBody in;
  in.type = text_or_empty(body, "type");
  in.material = text_or_empty(body, "material");
  in.length = positive_or_null(body, "length");
  in.width = positive_or_null(body, "width");
  in.thickness = positive_or_null(body, "thickness");
  auto* images = body.if_contains("images");
  if (!images || !images->is_array())
    throw bad_request("images must be an array of the job's album files (PUT /fetch/{job}/album/{file})");
  auto& a = images->get_array();
  if (a.empty()) throw bad_request("images must name at least one album file (PUT /fetch/{job}/album/{file})");
  if (a.size() > kMaxImagesPerProduct)
    throw bad_request("images must have at most " + std::to_string(kMaxImagesPerProduct) + " images");
  for (size_t i = 0; i < a.size(); ++i) {
    std::string at = "images[" + std::to_string(i) + "]";
    if (!a[i].is_string()) fail(at, "must be a string");
    if (a[i].get_string().size() > 2048) fail(at, "must be at most 2048 bytes");
    in.images.emplace_back(a[i].get_string());
  }
  return in;
}

// ---- POST /fetch/{job}: the app's search body ----

struct Thresholds {
  std::array<std::optional<double>, 3> value;  // primary, secondary, tertiary (or length, width, thickness)
  std::optional<bool> missing;
  bool any() const {
    return std::any_of(value.begin(), value.end(), [](auto& v) { return v.has_value(); });
  }
};

struct AppSearch {
  Thresholds type, shape, color, pattern;
};

double number_in(const json::value& v, const std::string& path, const char* lo, const char* hi) {
  if (v.is_bool()) fail(path, "must be a number");
  Decimal d = json_codec_detail::decimal_from(v, path);
  if (compare_decimals(d.text, lo) < 0 || compare_decimals(d.text, hi) > 0)
    fail(path, std::string("must be between ") + lo + " and " + hi);
  return std::strtod(d.text.c_str(), nullptr);
}

// One group ({type, material, missing}, {length, width, thickness, missing}, ...): numbers in
// [lo, hi] (null = absent), `missing` a boolean.
Thresholds decode_group(const json::object& body, const char* group, std::array<const char*, 3> names,
                        const char* lo, const char* hi) {
  Thresholds t;
  auto* v = body.if_contains(group);
  if (!v || v->is_null()) return t;
  if (!v->is_object() || exact_number_text(*v)) fail(group, "must be an object");
  auto& o = v->get_object();
  std::vector<std::string_view> keys{"missing"};
  for (auto* n : names)
    if (n[0]) keys.push_back(n);
  only_keys(o, keys, group);
  for (size_t i = 0; i < 3; ++i) {
    if (!names[i][0]) continue;
    auto* x = o.if_contains(names[i]);
    if (x && !x->is_null()) t.value[i] = number_in(*x, std::string(group) + "." + names[i], lo, hi);
  }
  if (auto* m = o.if_contains("missing"); m && !m->is_null()) {
    if (!m->is_bool()) fail(std::string(group) + ".missing", "must be a boolean");
    t.missing = m->get_bool();
  }
  return t;
}

AppSearch decode_app_search(const json::object& body) {
  only_keys(body, {"type_", "shape", "color", "pattern"});
  AppSearch s;
  s.type = decode_group(body, "type_", {"type", "material", ""}, "0", "1");
  s.shape = decode_group(body, "shape", {"length", "width", "thickness"}, "0", "1000");
  s.color = decode_group(body, "color", {"primary", "secondary", "tertiary"}, "0", "1");
  s.pattern = decode_group(body, "pattern", {"primary", "secondary", "tertiary"}, "0", "1");
  return s;
}

size_t parse_start(const std::map<std::string, std::string>& query) {
  auto it = query.find("start");
  if (it == query.end()) return 0;
  int64_t v = -1;
  auto& s = it->second;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || v < 0 || v > 1'000'000'000)
    throw bad_request("start must be an integer between 0 and 1000000000");
  return size_t(v);
}

// ---- answers ----

double round4(double v) { return std::round(v * 1e4) / 1e4; }

// A similarity as the app reads it: a distance, 1 - s; a missing colour or pattern score is 1
// (no similarity: the app reads null as a perfect match), a missing shape score null.
json::value distance(float s, bool missing_is_far) {
  if (std::isnan(s)) return missing_is_far ? json::value(1.0) : json::value(nullptr);
  return round4(1.0 - double(s));
}

// The app's overall value of a product: the mean of colour primary and secondary and pattern
// primary and secondary similarities, a missing one counted as 0 (originalApiAdapter.ts).
float mean4(const search::ScoreMatrix& m, size_t row) {
  float sum = 0;
  for (Score s : {Score::color_primary, Score::color_secondary, Score::pattern_primary, Score::pattern_secondary}) {
    float v = m.column(s)[row];
    sum += std::isnan(v) ? 0.f : v;
  }
  return sum / 4;
}

// A dimension of a product as the app reads it: length and width in centimetres, thickness in
// millimetres; null when absent or relative (unit "none").
json::value dimension_in(const std::optional<Dimension>& d, bool centimetres) {
  if (!d) return nullptr;
  double v = std::strtod(d->val.text.c_str(), nullptr);
  double mm;
  if (d->unit == "in") mm = v * 25.4;
  else if (d->unit == "mm") mm = v;
  else if (d->unit == "cm") mm = v * 10;
  else return nullptr;
  if (!std::isfinite(mm) || mm <= 0) return nullptr;
  return round4(centimetres ? mm / 10 : mm);
}

json::object result_json(uploads::ImageFiles& images, const std::string& id, const Product* p,
                         const search::ScoreMatrix* m, size_t row) {
  bool scored = m && row < m->size();
  auto at = [&](Score s) { return scored ? m->column(s)[row] : std::numeric_limits<float>::quiet_NaN(); };
  json::array urls;
  if (p)
    for (auto& img : p->images) urls.push_back(json::string(images.browser_url(img.url)));
  json::object description;
  if (p) {
    const Format* f = p->formats.empty() ? nullptr : &p->formats.front();
    const Vendor* v = f && !f->vendors.empty() ? &f->vendors.front() : nullptr;
    std::string store = p->brand && !p->brand->empty() ? *p->brand : v ? v->store : "";
    description = json::object{{"store", store},
                               {"name", p->model},
                               {"url", v ? v->url : ""},
                               {"material", p->category.material.value_or("")},
                               {"length", dimension_in(f ? f->length : std::nullopt, true)},
                               {"width", dimension_in(f ? f->width : std::nullopt, true)},
                               {"thickness", dimension_in(f ? f->thickness : std::nullopt, false)}};
  }
  return json::object{
      {"id", id},
      {"match", scored ? round4(1.0 - double(mean4(*m, row))) : 1.0},
      {"images", std::move(urls)},
      {"scores", json::object{{"shape", json::object{{"length", distance(at(Score::shape_length), false)},
                                                     {"width", distance(at(Score::shape_width), false)},
                                                     {"thickness", distance(at(Score::shape_thickness), false)}}},
                              {"color", json::object{{"primary", distance(at(Score::color_primary), true)},
                                                     {"secondary", distance(at(Score::color_secondary), true)},
                                                     {"tertiary", distance(at(Score::color_tertiary), true)}}},
                              {"pattern", json::object{{"primary", distance(at(Score::pattern_primary), true)},
                                                       {"secondary", distance(at(Score::pattern_secondary), true)},
                                                       {"tertiary", distance(at(Score::pattern_tertiary), true)}}}}},
      {"description", std::move(description)}};
}

// A reference dimension in millimetres (absolute units only), NaN otherwise.
float reference_mm(const std::optional<Dimension>& d) {
  if (!d || d->unit == "none") return std::numeric_limits<float>::quiet_NaN();
  double v = std::strtod(d->val.text.c_str(), nullptr);
  if (!std::isfinite(v) || v <= 0) return std::numeric_limits<float>::quiet_NaN();
  return float(d->unit == "in" ? v * 25.4 : d->unit == "cm" ? v * 10 : v);
}

// The shape tolerances of the app's search (length and width in inches, thickness in mm) over
// the snapshot's first-format dimensions: |product - reference| <= tolerance per dimension the
// reference has, orientation-free (the larger sides compared under `length`, the smaller under
// `width`); a product without the dimension passes when `missing`.
class ShapeFilter {
 public:
  ShapeFilter(const Thresholds& shape, const Product& reference,
              const catalog::snapshot::Snapshot::ScoringColumns& columns)
      : columns_(columns), missing_(shape.missing.value_or(false)) {
    const Format* f = reference.formats.empty() ? nullptr : &reference.formats.front();
    float rl = f ? reference_mm(f->length) : kNaN, rw = f ? reference_mm(f->width) : kNaN;
    rt_ = f ? reference_mm(f->thickness) : kNaN;
    two_ = rl == rl && rw == rw;
    // Orientation-free: the larger side is the "length" whichever field held it.
    rl_ = two_ ? std::max(rl, rw) : rl;
    rw_ = two_ ? std::min(rl, rw) : rw;
    auto tol = [](const std::optional<double>& t, double scale) {
      return t && *t > 0 ? float(*t * scale) : kNaN;
    };
    tl_ = rl_ == rl_ ? tol(shape.value[0], 25.4) : kNaN;
    tw_ = rw_ == rw_ ? tol(shape.value[1], 25.4) : kNaN;
    tt_ = rt_ == rt_ ? tol(shape.value[2], 1.0) : kNaN;
  }
  bool active() const { return tl_ == tl_ || tw_ == tw_ || tt_ == tt_; }
  bool pass(uint32_t row) const {
    namespace snap = catalog::snapshot;
    const uint8_t unitless = columns_.unitless[row];
    auto value = [&](const std::vector<float>& col, uint8_t bit) {
      float v = col[row];
      return (unitless & bit) || !(v > 0) || !std::isfinite(v) ? kNaN : v;
    };
    float pl = value(columns_.length_mm, snap::kLengthUnitless), pw = value(columns_.width_mm, snap::kWidthUnitless);
    if (two_ && pl == pl && pw == pw) {
      float a = std::max(pl, pw), b = std::min(pl, pw);
      pl = a, pw = b;
    }
    return within(pl, rl_, tl_) && within(pw, rw_, tw_) &&
           within(value(columns_.thickness_mm, snap::kThicknessUnitless), rt_, tt_);
  }

 private:
  static constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  bool within(float product, float reference, float tolerance) const {
    if (tolerance != tolerance) return true;  // no filter on this dimension
    if (product != product) return missing_;
    return std::fabs(product - reference) <= tolerance + 1e-3f;  // float mm: a hair of slack
  }
  const catalog::snapshot::Snapshot::ScoringColumns& columns_;
  bool missing_;
  bool two_ = false;
  float rl_, rw_, rt_, tl_, tw_, tt_;
};

}  // namespace

WebAppRoutes::WebAppRoutes(repo::ReportRepository& reports, repo::ProductRepository& products,
                           uploads::ImageFiles& images, const AnalysisStart& analysis, WebAppOptions options)
    : reports_(reports),
      products_(products),
      images_(images),
      analysis_(analysis),
      options_(options),
      waiter_(std::make_unique<analysis::AnalysisWaiter>(reports, options.analysis_poll)) {}

namespace {

const std::string kJob = "3f2b7c1e-4a5d-4e8f-9b0a-1c2d3e4f5a6b__title__kitchen-floor";

Schema app_result() {
  auto distance = nullable(number_schema("a distance, 1 - similarity"));
  auto three = [&](std::vector<std::string> names) {
    std::vector<Field> f;
    for (auto& n : names) f.push_back({n, distance});
    return object_schema(std::move(f));
  };
  return named("AppResult",
               object_schema({{"id", string_schema()},
                              {"match", number_schema("the app's overall distance, 0 (same) .. 1")},
                              {"images", array_of(string_schema("a signed link"))},
                              {"scores", object_schema({{"shape", three({"length", "width", "thickness"})},
                                                        {"color", three({"primary", "secondary", "tertiary"})},
                                                        {"pattern", three({"primary", "secondary", "tertiary"})}})},
                              {"description",
                               object_schema({optional_field("store", string_schema()),
                                              optional_field("name", string_schema()),
                                              optional_field("url", string_schema()),
                                              optional_field("material", string_schema()),
                                              optional_field("length", nullable(number_schema("cm"))),
                                              optional_field("width", nullable(number_schema("cm"))),
                                              optional_field("thickness", nullable(number_schema("mm")))})}}));
}

Schema app_search() {
  auto limit = nullable(number_schema());
  auto group = [&](std::vector<std::string> names) {
    std::vector<Field> f{optional_field("missing", nullable(boolean_schema()))};
    for (auto& n : names) f.push_back(optional_field(n, limit));
    return nullable(object_schema(std::move(f), true));
  };
  return object_schema({optional_field("type_", group({"type", "material"})),
                        optional_field("shape", group({"length", "width", "thickness"})),
                        optional_field("color", group({"primary", "secondary", "tertiary"})),
                        optional_field("pattern", group({"primary", "secondary", "tertiary"}))},
                       true);
}

Schema product_ids() {
  return named("AppFavorites", object_schema({{"product_ids", array_of(string_schema())}}));
}

}  // namespace

std::vector<Route> WebAppRoutes::routes() {
  const size_t upload_limit = images_.limits().max_bytes;
  auto route = [this](std::string method, std::string pattern, std::string name, Blocking blocking, Media media,
                      size_t limit, Response (WebAppRoutes::*handler)(const Call&), RouteDoc doc) {
    return Route{std::move(method), std::move(pattern), std::move(name), Access::bearer, blocking, media, limit,
                 [this, handler](const Call& c) { return (this->*handler)(c); }, std::move(doc)};
  };
  const std::string waits = "Waits for the report's analysis (503 with Retry-After past the bound; 409 when it failed).";
  // Every route but the reads of GET /report and GET /fetch/{job} may write, read files or
  // matrices, or wait for an analysis: they block.
  return {
      route("GET", "/report", "webapp.reports.list", Blocking::reads, Media::none, 0, &WebAppRoutes::list,
            {.summary = "The web app's dashboard: every report of the caller, newest first",
             .responses = {{200, "The jobs",
                            array_of(object_schema({{"job", string_schema("<id>__title__<title slug>")},
                                                    {"created", string_schema()},
                                                    {"reference", string_schema("the first photo: a signed link, or empty")}}))}}}),
      route("PUT", "/fetch/{job}/album/{file}", "webapp.album.put", Blocking::always, Media::bytes, upload_limit,
            &WebAppRoutes::put_album_file,
            {.summary = "One photo of a job not created yet (kept as an upload for a day)",
             .responses = {{200, "Stored", object_schema({{"file", string_schema()}})},
                           {409, "A report with this id exists already"}},
             .example = {.params = {{"job", "new-job-1"}, {"file", "img0.jpg"}}}}),
      route("PUT", "/fetch/{job}", "webapp.job.create", Blocking::always, Media::json, 0, &WebAppRoutes::create,
            {.summary = "Create the job's report from its album files; answers once the analysis is ready",
             .description = waits,
             .request = object_schema({optional_field("type", nullable(string_schema())),
                                       optional_field("material", nullable(string_schema())),
                                       optional_field("length", nullable(number_schema("inches, > 0"))),
                                       optional_field("width", nullable(number_schema("inches, > 0"))),
                                       optional_field("thickness", nullable(number_schema("mm, > 0"))),
                                       {"images", array_of(string_schema("an album file of the job"))}},
                                      true),
             .responses = {{200, "The report, analysed",
                            object_schema({{"id", string_schema()},
                                           {"title", string_schema()},
                                           {"analysis", described<Analysis>()}})},
                           {409, "A report with this id exists already"}},
             .example = {.params = {{"job", "new-job-1"}},
                         .body = {{"type", "tile"}, {"material", "ceramic"}, {"length", 12}, {"width", 6},
                                  {"thickness", nullptr}, {"images", json::array{"img0.jpg"}}}}}),
      route("GET", "/fetch/{job}", "webapp.job.get", Blocking::reads, Media::none, 0, &WebAppRoutes::reference,
            {.summary = "The job's reference as the app shows it",
             .responses = {{200, "The reference",
                            object_schema({{"type", string_schema()},
                                           {"material", string_schema()},
                                           {"length", nullable(number_schema())},
                                           {"width", nullable(number_schema())},
                                           {"thickness", nullable(number_schema())},
                                           {"images", array_of(string_schema("a signed link"))}})}},
             .example = {.params = {{"job", kJob}}}}),
      route("POST", "/fetch/{job}", "webapp.job.search", Blocking::always, Media::json, 0, &WebAppRoutes::search,
            {.summary = "Search: distances and tolerances, 50 results per answer",
             .description = waits,
             .request = app_search(),
             .responses = {{200, "Up to 50 results, best first", array_of(app_result())},
                           {409, "The analysis failed"}},
             .query = {{"start", "Results to skip (0..1000000000)",
                        literal(json::object{{"type", "integer"}, {"minimum", 0}}), 0}},
             .example = {.params = {{"job", kJob}},
                         .body = {{"color", {{"primary", 0.5}, {"missing", true}}}}}}),
      route("GET", "/fetch/{job}/product/{productId}", "webapp.job.product", Blocking::always, Media::none, 0,
            &WebAppRoutes::product,
            {.summary = "One product with its distances to the reference",
             .description = waits,
             .responses = {{200, "The product", app_result()}, {409, "The analysis failed"}},
             .example = {.params = {{"job", kJob}, {"productId", "demo-00001"}}}}),
      route("GET", "/report/{job}/favorites", "webapp.favorites.get", Blocking::always, Media::none, 0,
            &WebAppRoutes::favorites,
            {.summary = "The favorite products with their distances",
             .description = waits,
             .responses = {{200, "The favorites", array_of(app_result())}, {409, "The analysis failed"}},
             .example = {.params = {{"job", kJob}}}}),
      route("PUT", "/report/{job}/favorites", "webapp.favorites.replace", Blocking::always, Media::json, 0,
            &WebAppRoutes::replace_favorites,
            {.summary = "Replace the favorites",
             .request = object_schema({{"product_ids", array_of(string_schema())}}, true),
             .responses = {{200, "The favorites now", product_ids()}},
             .example = {.params = {{"job", kJob}}, .body = {{"product_ids", json::array{"demo-00001"}}}}}),
      route("POST", "/report/{job}/favorites", "webapp.favorites.toggle", Blocking::always, Media::json, 0,
            &WebAppRoutes::toggle_favorite,
            {.summary = "Toggle one favorite",
             .request = object_schema({{"product_id", string_schema()}}, true),
             .responses = {{200, "The favorites now", product_ids()}},
             .example = {.params = {{"job", kJob}}, .body = {{"product_id", "demo-00002"}}}}),
  };
}

// ---- the job <-> report mapping and the wait ----

Report WebAppRoutes::resolve(const std::string& user_id, const std::string& job) {
  existing_job(job);
  try {
    return reports_.get(user_id, job);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::not_found) throw;
    auto at = job.find("__title__");
    if (at == std::string::npos || at == 0) throw;
    return reports_.get(user_id, job.substr(0, at));  // a K9 report, shown as <id>__title__<title>
  }
}

Report WebAppRoutes::wait_for_analysis(const std::string& user_id, const std::string& report_id) {
  return waiter_->wait(user_id, report_id, options_.analysis_wait);
}

WebAppRoutes::Results WebAppRoutes::results(const std::string& user_id, const std::string& job) {
  Results out;
  out.report = resolve(user_id, job);
  if (!analysis::AnalysisWaiter::ended(out.report.analysis)) out.report = wait_for_analysis(user_id, out.report.id);
  const auto& a = out.report.analysis;
  if (a.status == "failed")
    throw Error(ErrorCode::conflict, "The report's analysis failed: " + a.error.value_or("unknown error"));
  if (a.status != "ready")
    throw Error(ErrorCode::unavailable, "The analysis of the report is still running; try again shortly", 5);
  out.matrix = analysis_.analysis.matrix_for(out.report.reference, a.model_version, &out.snapshot);
  if (!out.matrix) throw Error(ErrorCode::unavailable, "The report's results are not available; try again shortly", 5);
  if (out.snapshot && !out.snapshot->scored(*out.matrix)) out.snapshot = nullptr;  // defensive: rows must match
  return out;
}

std::map<std::string, std::string> WebAppRoutes::album_files(const std::string& user_id, const std::string& job) {
  const std::string folder =
      std::string(uploads::ImageFiles::kUploads) + uploads::ImageFiles::user_folder(user_id) + "/";
  const std::string mark = "-" + webapp::album_upload_name(job, "");  // "-album-<h>-"
  std::map<std::string, std::string> keys;
  std::map<std::string, blobs::TimePoint> newest;
  std::string next;
  do {
    auto page = images_.store().list(folder, next, 1000);
    for (auto& item : page.items) {
      auto at = item.key.find(mark, folder.size());
      if (at == std::string::npos) continue;
      std::string file = item.key.substr(at + mark.size());
      auto seen = newest.find(file);
      if (seen != newest.end() && item.last_modified < seen->second) continue;
      newest[file] = item.last_modified;
      keys[file] = item.key;
    }
    next = page.next;
  } while (!next.empty());
  return keys;
}

// ---- the routes ----

Response WebAppRoutes::list(const Call& c) {
  // Image links signed to the end of the next hour: the same links all hour long, so the
  // browser's cache serves the dashboard's images again.
  auto now = reports_.clock().now();
  auto ttl = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::floor<std::chrono::hours>(now) +
                                                              std::chrono::hours(2) - now);
  json::array items;
  std::string cursor;
  do {
    auto page = reports_.list(c.user.sub, 100, cursor);
    for (auto& r : page.reports) {
      if (r.analysis.status == "failed") continue;  // the app could only show invented results
      items.push_back(json::object{{"job", webapp::job_of(r.id, r.title)},
                                   {"created", r.created_at},
                                   {"reference", r.image_url.empty() ? "" : images_.browser_url(r.image_url, ttl)}});
    }
    cursor = page.next_cursor;
  } while (!cursor.empty());
  return json_response(200, items);
}

Response WebAppRoutes::put_album_file(const Call& c) {
  std::string job = new_job(c.param("job"));
  std::string file = album_file(c.param("file"));
  if (reports_.exists(job)) throw Error(ErrorCode::conflict, "A report with this id already exists");
  images_.upload(c.user.sub, webapp::album_upload_name(job, file), c.request.body);
  return json_response(200, json::object{{"file", file}});
}

Response WebAppRoutes::create(const Call& c) {
  const auto& p = c.user;
  std::string job = new_job(c.param("job"));
  JobBody in = decode_job_body(parse_json_object(c.request.body));

  Product reference;
  if (!in.type.empty()) reference.category.type = capitalized(in.type);
  if (!in.material.empty()) reference.category.material = capitalized(in.material);
  reference.model = capitalized(in.type) + (in.type.empty() || in.material.empty() ? "" : " ") +
                    capitalized(in.material);
  if (in.length || in.width || in.thickness) {
    Format f;
    if (in.length) f.length = Dimension{*in.length, "in"};
    if (in.width) f.width = Dimension{*in.width, "in"};
    if (in.thickness) f.thickness = Dimension{*in.thickness, "mm"};
    reference.formats.push_back(std::move(f));
  }
  // A taken id first: whoever holds it, it can never be claimed (and nothing is read for it).
  if (reports_.exists(job)) throw Error(ErrorCode::conflict, "A report with this id already exists");
  const auto files = album_files(p.sub, job);  // file name -> upload key
  std::vector<std::string> album_keys;         // the uploads this job's images came from
  for (size_t i = 0; i < in.images.size(); ++i) {
    auto found = files.find(in.images[i]);
    std::string key = found == files.end() ? "" : found->second;
    if (key.empty())
      throw bad_request("images[" + std::to_string(i) + "] must be the name of one of this job's album files " +
                        "(PUT /fetch/{job}/album/{file} first; uploads are kept for a day)");
    ProductImage image;
    image.url = key;
    reference.images.push_back(std::move(image));
    album_keys.push_back(key);
  }

  std::string title = webapp::title_of_job(job);
  if (title.find_first_not_of(' ') == std::string::npos) title = job;
  if (title.size() > kMaxTitleChars) title.resize(kMaxTitleChars);  // ASCII: bytes are characters
  std::string author = !p.name.empty() ? p.name : p.username;

  auto claim = images_.claim_report_images(p.sub, reference);  // copies into images/<user>/
  Report created;
  try {
    created = reports_.create(
        p.sub, author, std::move(title), std::move(reference),
        [&](const Report& r) {
          return std::vector<store::TransactItem>{analysis::ReportAnalysis::enqueue_item(analysis_.jobs, p.sub, r.id)};
        },
        job);
  } catch (...) {
    images_.release(claim);
    throw;
  }
  if (analysis_.queued) analysis_.queued();

  auto remove_album = [&] {  // the report holds copies now
    for (auto& key : album_keys) {
      try {
        images_.store().remove(key);
      } catch (const Error& e) {
        spdlog::warn("album file {} of report {} not removed (swept later): {}", key, job, e.what());
      }
    }
  };
  Report r = wait_for_analysis(p.sub, job);
  if (r.analysis.status == "failed") {
    // Nothing to show for it: the report goes (with its copies and whatever the analysis
    // wrote), the album stays as before the call, and the error says why.
    reports_.remove(p.sub, job);
    try {
      images_.remove_report_files(r.reference);
      analysis_.analysis.forget(r.reference, r.analysis.model_version);
    } catch (const Error& e) {
      if (!e.transient()) throw;
      spdlog::warn("report {} deleted after its analysis failed, but not all of its files: {}", job, e.what());
    }
    throw bad_request("The photos could not be analysed: " + r.analysis.error.value_or("unknown error"));
  }
  remove_album();
  if (r.analysis.status != "ready")
    throw Error(ErrorCode::unavailable,
                "The analysis of the report is still running; it will appear on the dashboard when it is ready", 5);
  return json_response(200, json::object{{"id", r.id}, {"title", r.title}, {"analysis", to_json(r.analysis)}});
}

Response WebAppRoutes::reference(const Call& c) {
  Report r = resolve(c.user.sub, c.param("job"));
  const Product& ref = r.reference;
  const Format* f = ref.formats.empty() ? nullptr : &ref.formats.front();
  auto number = [](const std::optional<Dimension>* d) -> json::value {
    return d && *d ? to_json((*d)->val) : json::value(nullptr);
  };
  json::array urls;
  for (auto& img : ref.images) urls.push_back(json::string(images_.browser_url(img.url)));
  return json_response(200, json::object{{"type", ascii_lower(ref.category.type.value_or(""))},
                                         {"material", ascii_lower(ref.category.material.value_or(""))},
                                         {"length", number(f ? &f->length : nullptr)},
                                         {"width", number(f ? &f->width : nullptr)},
                                         {"thickness", number(f ? &f->thickness : nullptr)},
                                         {"images", std::move(urls)}});
}

Response WebAppRoutes::search(const Call& c) {
  existing_job(c.param("job"));
  size_t start = parse_start(c.request.query);
  AppSearch in = decode_app_search(parse_json_object(c.request.body));
  Results res = results(c.user.sub, c.param("job"));
  if (!res.snapshot) return json_response(200, json::array{});  // an empty catalog

  // Colour and pattern values are maximum distances: K9 keeps scores >= 1 - d (d = 1: no
  // filter). type_ is validated but not applied (docs/WEBAPP.md: the app sends a constant).
  search::SearchQuery q;
  auto minimum = [&](const Thresholds& t, std::array<Score, 3> scores) {
    for (size_t i = 0; i < 3; ++i)
      if (t.value[i] && *t.value[i] < 1) q.min_score[size_t(scores[i])] = float(1.0 - *t.value[i]);
  };
  minimum(in.color, {Score::color_primary, Score::color_secondary, Score::color_tertiary});
  minimum(in.pattern, {Score::pattern_primary, Score::pattern_secondary, Score::pattern_tertiary});
  bool include_missing = true;
  for (auto* g : {&in.color, &in.pattern})
    if (g->any()) include_missing = include_missing && g->missing.value_or(false);
  q.include_missing = include_missing;
  q.page = 1;
  q.limit = int(std::max<size_t>(1, res.matrix->size()));  // every row that passes: sorted below
  auto page = search::run_search(*res.matrix, res.snapshot->filters, q);

  std::vector<uint32_t> rows;
  rows.reserve(page.rows.size());
  ShapeFilter shape(in.shape, res.report.reference, res.snapshot->snapshot.scoring());
  for (auto row : page.rows)
    if (!shape.active() || shape.pass(row)) rows.push_back(row);
  // The app's order: its own overall value, best first; ties by product id (= row order).
  std::vector<std::pair<float, uint32_t>> keyed;
  keyed.reserve(rows.size());
  for (auto row : rows) keyed.emplace_back(-mean4(*res.matrix, row), row);
  std::sort(keyed.begin(), keyed.end());

  json::array items;
  if (start < keyed.size()) {
    size_t end = std::min(keyed.size(), start + kResultsPerAnswer);
    std::vector<std::string> ids;
    for (size_t i = start; i < end; ++i) ids.emplace_back(res.matrix->product_id(keyed[i].second));
    auto products = products_.get_many(ids);
    for (size_t i = start; i < end; ++i) {
      std::string pid(res.matrix->product_id(keyed[i].second));
      auto it = products.find(pid);
      if (it == products.end()) continue;  // removed from the catalog since the snapshot
      items.push_back(result_json(images_, pid, &it->second.product, res.matrix.get(), keyed[i].second));
    }
  }
  return json_response(200, items);
}

Response WebAppRoutes::product(const Call& c) {
  existing_job(c.param("job"));
  std::string pid = checked_product_id(c.param("productId"), "productId");
  Results res = results(c.user.sub, c.param("job"));
  size_t row = res.matrix->find(pid);
  auto prod = products_.get(pid);
  if (row == res.matrix->size() || !prod) throw not_found("Product not found");
  return json_response(200, result_json(images_, pid, &prod->product, res.matrix.get(), row));
}

Response WebAppRoutes::favorites(const Call& c) {
  Report r = resolve(c.user.sub, c.param("job"));
  // Nothing to score: answered at once, whatever the analysis' state (a failed answer would
  // leave the app with an empty list that its next heart click saves over the server's).
  if (r.favorites.empty()) return json_response(200, json::array{});
  Results res = results(c.user.sub, c.param("job"));
  auto products = products_.get_many(res.report.favorites);
  json::array items;
  for (auto& pid : res.report.favorites) {
    auto it = products.find(pid);
    if (it == products.end()) continue;  // no longer in the catalog
    items.push_back(result_json(images_, pid, &it->second.product, res.matrix.get(), res.matrix->find(pid)));
  }
  return json_response(200, items);
}

Response WebAppRoutes::replace_favorites(const Call& c) {
  auto body = parse_json_object(c.request.body);
  only_keys(body, {"product_ids"});
  auto* ids = body.if_contains("product_ids");
  if (!ids || !ids->is_array()) throw bad_request("product_ids must be an array of product ids");
  auto& a = ids->get_array();
  if (a.size() > repo::ReportRepository::kMaxFavorites)
    throw bad_request("product_ids must have at most " + std::to_string(repo::ReportRepository::kMaxFavorites) +
                      " products");
  std::vector<std::string> list;
  for (size_t i = 0; i < a.size(); ++i) {
    std::string at = "product_ids[" + std::to_string(i) + "]";
    if (!a[i].is_string()) fail(at, "must be a string");
    list.push_back(checked_product_id(std::string(a[i].get_string()), at));
  }
  Report r = resolve(c.user.sub, c.param("job"));
  auto stored = reports_.set_favorites(c.user.sub, r.id, std::move(list));
  return json_response(200, json::object{{"product_ids", to_json(stored)}});
}

Response WebAppRoutes::toggle_favorite(const Call& c) {
  auto body = parse_json_object(c.request.body);
  only_keys(body, {"product_id"});
  auto* id = body.if_contains("product_id");
  if (!id || !id->is_string()) throw bad_request("product_id must be a string (a product id)");
  std::string pid = checked_product_id(std::string(id->get_string()), "product_id");
  Report r = resolve(c.user.sub, c.param("job"));
  auto stored = reports_.toggle_favorite(c.user.sub, r.id, pid);
  return json_response(200, json::object{{"product_ids", to_json(stored)}});
}

}  // namespace k9::api
