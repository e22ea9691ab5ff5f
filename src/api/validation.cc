#include "api/validation.h"

#include <algorithm>

#include <boost/describe.hpp>
#include <charconv>

#include "core/error.h"
#include "core/json_codec.h"
#include "core/utf8.h"

namespace k9::api {

namespace json = boost::json;


namespace {

std::string checked_title(const std::string& title) {
  size_t n = utf8_length(title);
  bool blank = title.find_first_not_of(" \t\r\n") == std::string::npos;
  if (n == 0 || blank) throw bad_request("title must not be empty");
  if (n > kMaxTitleChars) throw bad_request("title must be at most 200 characters");
  return title;
}

void check_text(const std::optional<std::string>& v, const std::string& field, size_t max_chars) {
  if (v && utf8_length(*v) > max_chars)
    throw bad_request(field + " must be at most " + std::to_string(max_chars) + " characters");
}

void check_product(const Product& p, const std::string& at = "reference") {
  if (!p.id.empty()) checked_product_id(p.id, at + ".id");
  if (utf8_length(p.model) > kMaxNameChars) throw bad_request(at + ".model must be at most 200 characters");
  check_text(p.brand, at + ".brand", kMaxNameChars);
  check_text(p.series, at + ".series", kMaxNameChars);
  if (p.images.size() > kMaxImagesPerProduct)
    throw bad_request(at + ".images must have at most " + std::to_string(kMaxImagesPerProduct) + " images");
  for (size_t i = 0; i < p.images.size(); ++i) {
    if (p.images[i].url.empty())
      throw bad_request(at + ".images[" + std::to_string(i) + "].url must not be empty");
    if (!p.images[i].id.empty()) checked_product_id(p.images[i].id, at + ".images[" + std::to_string(i) + "].id");
  }
}

// The seed's /embeddings bodies are snake_case: exactly these keys, nothing else.
void only_keys(const json::object& body, std::initializer_list<std::string_view> keys) {
  std::string unknown;
  for (auto& kv : body)
    if (std::find(keys.begin(), keys.end(), std::string_view(kv.key())) == keys.end())
      unknown += (unknown.empty() ? "" : ", ") + std::string(kv.key());
  if (!unknown.empty()) throw bad_request("Unknown field(s): " + unknown);
}

}  // namespace

LoginInput decode_login(const json::object& body) {
  auto in = decode_json<LoginInput>(body, "", {.max_string = 256});
  if (in.username.empty()) throw bad_request("username is required");
  if (in.password.empty()) throw bad_request("password is required");
  return in;
}

RefreshInput decode_refresh(const json::object& body) {
  auto in = decode_json<RefreshInput>(body, "", {.max_string = 8192});
  if (in.username.empty()) throw bad_request("username is required");
  if (in.refresh_token.empty()) throw bad_request("refreshToken is required");
  return in;
}

ResetInput decode_reset(const json::object& body) {
  auto in = decode_json<ResetInput>(body, "", {.max_string = 8192});
  if (in.username.empty()) throw bad_request("username is required");
  if (in.new_password.empty()) throw bad_request("newPassword is required");
  if (in.session.empty()) throw bad_request("session is required");
  return in;
}

NewReportInput decode_new_report(const json::object& body) {
  if (!body.contains("title")) throw bad_request("title is required");
  if (!body.contains("reference")) throw bad_request("reference is required");
  auto in = decode_json<NewReportInput>(body);
  in.title = checked_title(in.title);
  check_product(in.reference);
  return in;
}

Product decode_embedding_compute(const json::object& body) {
  only_keys(body, {"product_data"});
  auto* data = body.if_contains("product_data");
  if (!data || !data->is_object()) throw bad_request("product_data must be an object (a product with images)");
  // Image urls may be data: URLs (the body limit bounds them); names are checked below.
  auto p = decode_json<Product>(*data, "product_data", {.max_string = 1u << 20});
  if (p.id.empty()) throw bad_request("product_data.id is required");
  if (p.images.empty()) throw bad_request("product_data.images must name at least one image");
  check_product(p, "product_data");
  return p;
}

std::string decode_similarity_request(const json::object& body) {
  only_keys(body, {"reference_product_id"});
  auto* id = body.if_contains("reference_product_id");
  if (!id || !id->is_string()) throw bad_request("reference_product_id must be a string");
  return checked_product_id(std::string(id->as_string()), "reference_product_id");
}

std::string decode_title_patch(const json::object& body) {
  auto in = decode_json<TitlePatch>(body);
  if (!in.title) throw bad_request("title is required");
  return checked_title(*in.title);
}

repo::ProfilePatch decode_profile_patch(const json::object& body) {
  auto in = decode_json<ProfileInput>(body, "", {.max_string = 320});
  check_text(in.name, "name", kMaxNameChars);
  if (in.email && !in.email->empty()) {
    auto at = in.email->find('@');
    if (at == std::string::npos || at == 0 || at + 1 == in.email->size() || in.email->size() > 254)
      throw bad_request("email must be an email address");
  }
  if (in.preferences) {
    check_text(in.preferences->default_report_title, "preferences.defaultReportTitle", kMaxTitleChars);
    auto& f = in.preferences->export_format;
    if (f && *f != "zip" && *f != "csv" && *f != "pdf")
      throw bad_request("preferences.exportFormat must be one of zip, csv, pdf");
  }
  return {in.name, in.email, in.preferences, std::nullopt};
}

bool decode_is_favorite(const json::object& body) {
  auto in = decode_json<FavoriteInput>(body);
  if (!in.is_favorite) throw bad_request("isFavorite is required");
  return *in.is_favorite;
}

std::vector<std::string> decode_favorites(const json::object& body) {
  auto in = decode_json<FavoritesInput>(body, "", {.max_string = 128, .max_array = 500});
  if (!in.favorites) throw bad_request("favorites is required");
  for (size_t i = 0; i < in.favorites->size(); ++i)
    checked_product_id((*in.favorites)[i], "favorites[" + std::to_string(i) + "]");
  return *in.favorites;
}

int parse_limit(const std::map<std::string, std::string>& query) {
  auto it = query.find("limit");
  if (it == query.end()) return 20;
  int v = 0;
  auto& s = it->second;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || v < 1 || v > 100)
    throw bad_request("limit must be an integer between 1 and 100");
  return v;
}

namespace {
bool safe_id(const std::string& id, size_t max) {
  if (id.empty() || id.size() > max) return false;
  for (unsigned char c : id)
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
  return true;
}
}  // namespace

std::string checked_report_id(const std::string& id) {
  if (!safe_id(id, 256)) throw not_found("Report not found");  // the web app's job ids run past 128
  return id;
}

std::string checked_product_id(const std::string& id, const std::string& field) {
  if (!safe_id(id, 128)) throw bad_request(field + " must be 1 to 128 characters of letters, digits and . _ : -");
  return id;
}

}  // namespace k9::api
