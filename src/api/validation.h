// Request bodies and parameters of the API, decoded strictly (core/json_codec.h) and
// checked against the rules of SPEC section 3. Every failure is k9::Error bad_request (or
// not_found for ids that cannot exist) with a message naming the field.
#pragma once
#include <boost/describe.hpp>
#include <boost/json.hpp>
#include <optional>
#include <map>
#include <string>
#include <vector>

#include "core/domain.h"
#include "repo/user_repository.h"

namespace k9::api {

struct LoginInput {
  std::string username, password;
};
struct RefreshInput {
  std::string username, refresh_token;
};
struct ResetInput {
  std::string username, new_password, session;
};
struct NewReportInput {
  std::string title;
  Product reference;
};
struct TitlePatch {
  std::optional<std::string> title;
};
struct FavoriteInput {
  std::optional<bool> is_favorite;
};
struct FavoritesInput {
  std::optional<std::vector<std::string>> favorites;
};
struct ProfileInput {
  std::optional<std::string> name, email;
  std::optional<Preferences> preferences;
};
// Described for the strict decoder (core/json_codec.h) and the API document's schemas
// (core/json_schema.h): one description of each body.
BOOST_DESCRIBE_STRUCT(LoginInput, (), (username, password))
BOOST_DESCRIBE_STRUCT(RefreshInput, (), (username, refresh_token))
BOOST_DESCRIBE_STRUCT(ResetInput, (), (username, new_password, session))
BOOST_DESCRIBE_STRUCT(NewReportInput, (), (title, reference))
BOOST_DESCRIBE_STRUCT(TitlePatch, (), (title))
BOOST_DESCRIBE_STRUCT(FavoriteInput, (), (is_favorite))
BOOST_DESCRIBE_STRUCT(FavoritesInput, (), (favorites))
BOOST_DESCRIBE_STRUCT(ProfileInput, (), (name, email, preferences))

inline constexpr size_t kMaxTitleChars = 200;
inline constexpr size_t kMaxNameChars = 200;
inline constexpr size_t kMaxImagesPerProduct = 20;

LoginInput decode_login(const boost::json::object& body);
// Cognito's refresh tokens and sessions run to a few KB: fields up to 8 KB.
RefreshInput decode_refresh(const boost::json::object& body);
ResetInput decode_reset(const boost::json::object& body);
NewReportInput decode_new_report(const boost::json::object& body);
std::string decode_title_patch(const boost::json::object& body);
// POST /embeddings/compute: {product_data: Product with id and at least one image}.
Product decode_embedding_compute(const boost::json::object& body);
// POST /embeddings/similarity: {reference_product_id}.
std::string decode_similarity_request(const boost::json::object& body);
repo::ProfilePatch decode_profile_patch(const boost::json::object& body);
bool decode_is_favorite(const boost::json::object& body);
std::vector<std::string> decode_favorites(const boost::json::object& body);

// `limit` query parameter: an integer 1..100, default 20.
int parse_limit(const std::map<std::string, std::string>& query);
// Report ids are K9-made UUIDs, the Python generation's ids or the web app's job ids
// (docs/WEBAPP.md): 1..256 safe characters;
// anything else cannot exist and is not_found.
std::string checked_report_id(const std::string& id);
// Product ids: 1..128 characters of [A-Za-z0-9._:-]; bad_request naming `field` otherwise.
std::string checked_product_id(const std::string& id, const std::string& field);

}  // namespace k9::api
