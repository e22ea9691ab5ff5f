#include "api/file_routes.h"

#include <spdlog/spdlog.h>

#include "api/openapi.h"
#include "api/responses.h"
#include "blobs/file_route.h"
#include "core/json.h"
#include "api/validation.h"

namespace k9::api {

namespace json = boost::json;

std::vector<Route> FileRoutes::routes() {
  const size_t limit = images_.limits().max_bytes;
  std::vector<Route> out;
  // The name is the rest of the path, so "a/../b" reaches the name check (a clear 400), not
  // the router's 404.
  out.push_back({"PUT", "/uploads/{name+}", "files.upload", Access::bearer, Blocking::always, Media::bytes, limit,
                 [this](const Call& c) {
                   auto stored = images_.upload(c.user.sub, c.param("name"), c.request.body);
                   return json_response(201, json::object{{"key", stored.key}, {"url", stored.url}});
                 },
                 RouteDoc{.summary = "Upload a photo (JPEG, PNG or WebP, up to 20 MiB, 50 megapixels)",
                          .description = "The answer's key names it in a report (an image url or mask). Uploads "
                                         "not claimed by a report are swept after a day.",
                          .responses = {{201, "Stored",
                                         named("Upload", object_schema({{"key", string_schema("the stored file's key")},
                                                                        {"url", string_schema("a signed link to it")}}))},
                                        {413, "Over 20 MiB or 50 megapixels"},
                                        {415, "Not a JPEG, PNG or WebP"}},
                          .example = {.params = {{"name", "photo.jpg"}}, .status = 201}}});
  // Uploads larger than a Lambda request go straight to S3: a key and a presigned PUT. The
  // bytes are checked as any upload's when a report claims the key.
  out.push_back({"POST", "/uploads", "files.upload.direct", Access::bearer, Blocking::always, Media::json, 0,
                 [this](const Call& c) {
                   auto body = parse_json_object(c.request.body);
                   for (auto& [k, v] : body)
                     if (k != "name") throw bad_request("unknown field " + std::string(k));
                   auto* name = body.if_contains("name");
                   if (!name || !name->is_string()) throw bad_request("name is required (a file name such as photo.jpg)");
                   auto direct = images_.start_direct_upload(c.user.sub, std::string(name->as_string()));
                   if (!direct)
                     throw not_found("Direct uploads need S3 file storage; send the bytes with PUT /uploads/{name}");
                   return json_response(201, json::object{{"key", direct->key},
                                                          {"uploadUrl", direct->url},
                                                          {"expiresIn", direct->expires_in.count()}});
                 },
                 RouteDoc{.summary = "Start a direct upload to S3 (AWS mode): a key and a presigned PUT",
                          .description = "With files on disk (k9 serve embedded) it answers 404: send the bytes "
                                         "with PUT /uploads/{name}.",
                          .request = literal(json::object{{"type", "object"},
                                                          {"properties", json::object{{"name", json::object{{"type", "string"}}}}},
                                                          {"required", json::array{"name"}},
                                                          {"additionalProperties", false}}),
                          .responses = {{201, "Send the bytes to uploadUrl with PUT",
                                         object_schema({{"key", string_schema()},
                                                        {"uploadUrl", string_schema("a presigned S3 PUT")},
                                                        {"expiresIn", integer_schema("seconds")}})},
                                        {404, "Files are on disk, not in S3"}},
                          .example = {.body = {{"name", "photo.jpg"}}, .status = 404}}});
  out.push_back({"PUT", "/user/avatar", "files.avatar", Access::bearer, Blocking::always, Media::bytes, limit,
                 [this](const Call& c) { return avatar(c); },
                 RouteDoc{.summary = "Set the user's avatar (JPEG, PNG or WebP)",
                          .responses = {{200, "Stored", object_schema({{"avatarUrl", string_schema("a signed link")}})},
                                        {413, "Too large"},
                                        {415, "Not a JPEG, PNG or WebP"}}}});
  if (file_urls_) {
    // No token: the link's signature is the permission (an <img src> sends no header).
    out.push_back({"GET", "/files/{key+}", "files.get", Access::open, Blocking::always, Media::none, 0,
                   [this](const Call& c) { return signed_file(c); },
                   RouteDoc{.summary = "A stored file through a K9-signed link (no token: the signature is the permission)",
                            .responses = {{200, "The file's bytes", {}, "application/octet-stream"},
                                          {403, "The signature is missing, wrong or expired"},
                                          {404, "No such file"}},
                            .query = {{"expires", "Unix seconds the link is valid until", integer_schema()},
                                      {"signature", "HMAC of the key and expires", string_schema()}},
                            .example = {.params = {{"key", "uploads/<sub>/photo.jpg"}}}}});
  }
  return out;
}

Response FileRoutes::avatar(const Call& c) {
  const auto& p = c.user;
  User before = users_.get_or_create(p.sub, p.name, p.email);
  auto stored = images_.store_avatar(p.sub, c.request.body);
  repo::ProfilePatch patch;
  patch.avatar_url = stored.key;
  try {
    users_.update_profile(p.sub, patch);
  } catch (...) {
    images_.remove_avatar(p.sub, stored.key);
    throw;
  }
  if (before.avatar_url != stored.key) {
    try {
      images_.remove_avatar(p.sub, before.avatar_url);
    } catch (const blobs::Unavailable& e) {
      spdlog::warn("previous avatar {} not deleted: {}", before.avatar_url, e.what());
    }
  }
  return json_response(200, json::object{{"avatarUrl", stored.url}});
}

Response FileRoutes::signed_file(const Call& c) {
  auto a = blobs::answer_signed_file(images_.store(), *file_urls_, c.param("key"), c.request.query, clock_.now());
  if (a.status == 404) return error_response(ErrorCode::not_found, a.message);
  if (a.status != 200) return error_response(ErrorCode::forbidden, a.message);
  Response r;
  r.body = std::move(a.bytes);
  r.content_type = a.content_type;
  r.headers.emplace_back("Cache-Control", "private, max-age=" + std::to_string(a.max_age_seconds));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace k9::api
