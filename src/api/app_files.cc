// The file routes of the API: uploads, the avatar, and (embedded mode) K9-signed file links.
// Image rules and key layout are uploads/image_files.h's.
#include <spdlog/spdlog.h>

#include "api/app.h"
#include "blobs/file_route.h"
#include "core/json.h"
#include "core/json_codec.h"

namespace k9::api {

namespace json = boost::json;

namespace {

uploads::ImageFiles& need(uploads::ImageFiles* images) {
  if (!images) throw not_found("File storage is not configured here");
  return *images;
}

}  // namespace

Report App::with_browser_urls(Report r) {
  if (!s_.images) return r;
  for (auto& img : r.reference.images) {
    img.url = s_.images->browser_url(img.url);
    if (img.mask) img.mask = s_.images->browser_url(*img.mask);
  }
  return r;
}

User App::with_browser_urls(User u) {
  if (s_.images && !u.avatar_url.empty()) u.avatar_url = s_.images->browser_url(u.avatar_url);
  return u;
}

void App::add_file_routes() {
  // The name is the rest of the path, so "a/../b" reaches the name check (a clear 400), not
  // the router's 404.
  router_.add("PUT", "/uploads/{name+}", [this](const Request& req, const Params& params) {
    auto p = authenticate(req);
    auto& images = need(s_.images);
    auto stored = images.upload(p.sub, params.at("name"), req.body);
    return json_response(201, json::object{{"key", stored.key}, {"url", stored.url}});
  });

  router_.add("PUT", "/user/avatar", [this](const Request& req, const Params&) {
    auto p = authenticate(req);
    auto& images = need(s_.images);
    User before = s_.users.get_or_create(p.sub, p.name, p.email);
    auto stored = images.store_avatar(p.sub, req.body);
    repo::ProfilePatch patch;
    patch.avatar_url = stored.key;
    try {
      s_.users.update_profile(p.sub, patch);
    } catch (...) {
      images.remove_avatar(p.sub, stored.key);
      throw;
    }
    if (before.avatar_url != stored.key) {
      try {
        images.remove_avatar(p.sub, before.avatar_url);
      } catch (const blobs::Unavailable& e) {
        spdlog::warn("previous avatar {} not deleted: {}", before.avatar_url, e.what());
      }
    }
    return json_response(200, json::object{{"avatarUrl", stored.url}});
  });

  if (s_.file_urls && s_.images) {
    // No token: the link's signature is the permission (an <img src> sends no header).
    router_.add("GET", "/files/{key+}", [this](const Request& req, const Params& params) {
      auto a = blobs::answer_signed_file(s_.images->store(), *s_.file_urls, params.at("key"), req.query,
                                         std::chrono::system_clock::now());
      if (a.status == 404) return error_response(ErrorCode::not_found, a.message);
      if (a.status != 200) return error_response(ErrorCode::forbidden, a.message);
      Response r;
      r.body = std::move(a.bytes);
      r.content_type = a.content_type;
      r.headers.emplace_back("Cache-Control", "private, max-age=" + std::to_string(a.max_age_seconds));
      r.headers.emplace_back("X-Content-Type-Options", "nosniff");
      return r;
    });
  }
}

}  // namespace k9::api
