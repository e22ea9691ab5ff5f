#include "api/app.h"

#include <charconv>

#include "api/validation.h"
#include "core/json.h"
#include "core/json_codec.h"

#include <spdlog/spdlog.h>

#include <optional>

namespace k9::api {

namespace json = boost::json;

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request: return 400;
    case ErrorCode::unauthorized: return 401;
    case ErrorCode::forbidden: return 403;
    case ErrorCode::not_found: return 404;
    case ErrorCode::method_not_allowed: return 405;
    case ErrorCode::conflict: return 409;
    case ErrorCode::gone: return 410;
    case ErrorCode::too_large: return 413;
    case ErrorCode::unsupported_media: return 415;
    case ErrorCode::too_many_requests: return 429;
    case ErrorCode::unavailable: return 503;
    case ErrorCode::internal: return 500;
  }
  return 500;
}

Response error_response(ErrorCode code, const std::string& message, int retry_after) {
  Response r;
  r.status = http_status(code);
  r.body = to_json_text(json::object{{"message", message}, {"code", error_code_name(code)}});
  if (retry_after > 0) r.headers.emplace_back("Retry-After", std::to_string(retry_after));
  return r;
}

Response json_response(int status, const json::value& v) {
  Response r;
  r.status = status;
  r.body = to_json_text(v);
  return r;
}

namespace {

json::value report_json(const Report& r) { return to_json(r); }

json::value user_json(const User& u) { return to_json(u); }

}  // namespace

App::App(AppServices services) : s_(std::move(services)) {
  if (s_.cache_report_lists) {
    list_cache_ = std::make_unique<ListCache>();
    s_.reports.add_change_listener([cache = list_cache_.get()](const std::string& user) { cache->invalidate(user); });
  }
  add_routes();
}

identity::Principal App::authenticate(const Request& req) const {
  auto it = req.headers.find("authorization");
  if (it == req.headers.end()) throw unauthorized("Missing Authorization header");
  std::string_view h = it->second;
  constexpr std::string_view kBearer = "Bearer ";
  if (h.size() <= kBearer.size() || h.substr(0, kBearer.size()) != kBearer)
    throw unauthorized("Authorization header must be 'Bearer <token>'");
  return s_.verifier.verify(h.substr(kBearer.size()));
}

void App::add_routes() {
  router_.add("GET", "/healthz", [this](const Request&, const Params&) {
    if (!s_.store.healthy()) throw Error(ErrorCode::unavailable, "store is not answering", 5);
    return json_response(200, json::object{{"status", "ok"}});
  });

  if (s_.jwks) {
    router_.add("GET", "/.well-known/jwks.json", [this](const Request&, const Params&) {
      Response r;
      r.body = s_.jwks();
      r.headers.emplace_back("Cache-Control", "public, max-age=300");
      return r;
    });
  }

  router_.add("POST", "/auth/login", [this](const Request& req, const Params&) {
    if (!s_.authenticator) throw not_found("Sign-in is not available here");
    auto body = parse_json_object(req.body);
    auto in = decode_login(body);
    auto result = s_.authenticator->login(in.username, in.password, req.remote_address);
    if (!result.tokens) {
      return json_response(202, json::object{{"challenge", result.challenge},
                                             {"session", result.session},
                                             {"username", in.username}});
    }
    auto& t = *result.tokens;
    return json_response(200, json::object{{"accessToken", t.access_token},
                                           {"idToken", t.id_token},
                                           {"refreshToken", t.refresh_token},
                                           {"expiresIn", t.expires_in},
                                           {"tokenType", "Bearer"}});
  });

  router_.add("POST", "/auth/refresh", [this](const Request& req, const Params&) {
    if (!s_.authenticator) throw not_found("Sign-in is not available here");
    auto in = decode_refresh(parse_json_object(req.body));
    auto t = s_.authenticator->refresh(in.username, in.refresh_token, req.remote_address);
    json::object out{{"accessToken", t.access_token},
                     {"idToken", t.id_token},
                     {"expiresIn", t.expires_in},
                     {"tokenType", "Bearer"}};
    if (!t.refresh_token.empty()) out["refreshToken"] = t.refresh_token;  // only when tokens rotate
    return json_response(200, out);
  });

  router_.add("POST", "/auth/reset", [this](const Request& req, const Params&) {
    if (!s_.authenticator) throw not_found("Sign-in is not available here");
    auto in = decode_reset(parse_json_object(req.body));
    s_.authenticator->respond_new_password(in.username, in.new_password, in.session, req.remote_address);
    return json_response(200, json::object{{"success", true}});
  });

  router_.add("GET", "/user/profile", [this](const Request& req, const Params&) {
    auto p = authenticate(req);
    return json_response(200, user_json(with_browser_urls(s_.users.get_or_create(p.sub, p.name, p.email))));
  });

  router_.add("PATCH", "/user/profile", [this](const Request& req, const Params&) {
    auto p = authenticate(req);
    auto patch = decode_profile_patch(parse_json_object(req.body));
    s_.users.get_or_create(p.sub, p.name, p.email);
    return json_response(200, user_json(with_browser_urls(s_.users.update_profile(p.sub, patch))));
  });

  router_.add("GET", "/reports", [this](const Request& req, const Params&) {
    auto p = authenticate(req);
    int limit = parse_limit(req.query);
    auto c = req.query.find("cursor");
    const std::string& cursor = c == req.query.end() ? std::string() : c->second;
    // Image links in a page are signed to the end of the next hour, and a cached page is
    // served only within the hour it was made, so a served link is good for an hour at least.
    auto hour = std::chrono::floor<std::chrono::hours>(std::chrono::system_clock::now());
    std::string cache_key = s_.images ? cursor + "@" + std::to_string(hour.time_since_epoch().count()) : cursor;
    auto image_url = [&](const std::string& stored) {
      if (!s_.images || stored.empty()) return stored;
      auto until = hour + std::chrono::hours(2);
      return s_.images->browser_url(stored, std::chrono::duration_cast<std::chrono::seconds>(
                                                until - std::chrono::system_clock::now()));
    };
    ListCache::Token token;
    if (list_cache_) {
      if (auto hit = list_cache_->find(p.sub, limit, cache_key)) {
        Response r;
        r.body = *hit;
        return r;
      }
      token = list_cache_->token(p.sub);
    }
    auto page = s_.reports.list(p.sub, limit, cursor);
    json::array items;
    items.reserve(page.reports.size());
    for (auto& r : page.reports) {
      json::object o{{"id", r.id},       {"title", r.title},           {"author", r.author},
                     {"date", r.date},   {"imageUrl", image_url(r.image_url)},    {"analysis", to_json(r.analysis)},
                     {"favoritesCount", r.favorites.size()}, {"createdAt", r.created_at}, {"updatedAt", r.updated_at}};
      items.push_back(std::move(o));
    }
    Response r = json_response(200, json::object{{"reports", std::move(items)},
                                                 {"total", page.total},
                                                 {"limit", limit},
                                                 {"next_cursor", page.next_cursor.empty() ? json::value(nullptr)
                                                                                          : json::value(page.next_cursor)},
                                                 {"has_more", !page.next_cursor.empty()}});
    if (list_cache_) list_cache_->store(p.sub, token, limit, cache_key, r.body);
    return r;
  });

  router_.add("POST", "/reports", [this](const Request& req, const Params&) {
    auto p = authenticate(req);
    auto in = decode_new_report(parse_json_object(req.body));
    std::string author = !p.name.empty() ? p.name : p.username;
    uploads::ImageFiles::Claim claim;
    if (s_.images) claim = s_.images->claim_report_images(p.sub, in.reference);  // checks all, then stores
    Report r;
    std::function<std::vector<store::TransactItem>(const Report&)> job;
    if (s_.analysis && s_.jobs) {
      job = [&](const Report& created) {
        return std::vector<store::TransactItem>{analysis::ReportAnalysis::enqueue_item(*s_.jobs, p.sub, created.id)};
      };
    }
    try {
      r = s_.reports.create(p.sub, author, std::move(in.title), std::move(in.reference), job);
    } catch (...) {
      if (s_.images) s_.images->release(claim);
      throw;
    }
    if (job && s_.analysis_queued) s_.analysis_queued();
    return json_response(201, json::object{{"id", r.id},
                                           {"title", r.title},
                                           {"author", r.author},
                                           {"date", r.date},
                                           {"analysis", to_json(r.analysis)}});
  });

  router_.add("GET", "/reports/{id}", [this](const Request& req, const Params& params) {
    auto p = authenticate(req);
    return json_response(200, report_json(with_browser_urls(s_.reports.get(p.sub, checked_report_id(params.at("id"))))));
  });

  router_.add("PATCH", "/reports/{id}", [this](const Request& req, const Params& params) {
    auto p = authenticate(req);
    std::string id = checked_report_id(params.at("id"));
    auto title = decode_title_patch(parse_json_object(req.body));
    return json_response(200, report_json(with_browser_urls(s_.reports.update_title(p.sub, id, title))));
  });

  router_.add("DELETE", "/reports/{id}", [this](const Request& req, const Params& params) {
    auto p = authenticate(req);
    std::string id = checked_report_id(params.at("id"));
    std::optional<Report> doomed;
    if (s_.images || s_.analysis) doomed = s_.reports.get(p.sub, id);  // to know its files
    s_.reports.remove(p.sub, id);
    if (doomed) {  // the record first: a failure here leaves unnamed files, never a report without images
      try {
        if (s_.images) s_.images->remove_report_files(doomed->reference);
        if (s_.analysis) s_.analysis->forget(doomed->reference, doomed->analysis.model_version);
      } catch (const blobs::Unavailable& e) {
        spdlog::warn("report {} deleted, but not all of its files: {}", id, e.what());
      } catch (const store::Unavailable& e) {
        spdlog::warn("report {} deleted, but not its reference embedding: {}", id, e.what());
      }
    }
    return json_response(200, json::object{{"success", true}});
  });

  router_.add("PUT", "/reports/{id}/favorites/{productId}", [this](const Request& req, const Params& params) {
    auto p = authenticate(req);
    std::string id = checked_report_id(params.at("id"));
    std::string product = checked_product_id(params.at("productId"), "productId");
    bool favorite = decode_is_favorite(parse_json_object(req.body));
    auto favorites = s_.reports.set_favorite(p.sub, id, product, favorite);
    return json_response(200, json::object{{"success", true}, {"favorites", to_json(favorites)}});
  });

  router_.add("PUT", "/reports/{id}/favorites", [this](const Request& req, const Params& params) {
    auto p = authenticate(req);
    std::string id = checked_report_id(params.at("id"));
    auto list = decode_favorites(parse_json_object(req.body));
    auto favorites = s_.reports.set_favorites(p.sub, id, std::move(list));
    return json_response(200, json::object{{"success", true}, {"favorites", to_json(favorites)}});
  });

  add_file_routes();
  add_search_routes();
  add_embedding_routes();
}

bool App::may_block(const Request& req) const {
  if (!(req.method == "GET" || req.method == "HEAD") || req.path.starts_with("/auth/") ||
      req.path.starts_with("/files/") || req.path.starts_with("/embeddings/"))
    return true;
  // A report's results may read a matrix from the blob store, score it again or build a ZIP.
  return req.path.starts_with("/reports/") &&
         (req.path.find("/products/") != std::string::npos || req.path.ends_with("/favorites") ||
          req.path.ends_with("/export"));
}

Response App::handle(const Request& req) {
  try {
    auto m = router_.match(req.method, req.path);
    if (!m.path_found) return error_response(ErrorCode::not_found, "No route for " + req.path);
    if (!m.handler) {
      Response r = error_response(ErrorCode::method_not_allowed, "Method " + req.method + " not allowed here");
      r.headers.emplace_back("Allow", m.allow);
      return r;
    }
    return (*m.handler)(req, m.params);
  } catch (const Error& e) {
    return error_response(e.code(), e.what(), e.retry_after());
  } catch (const store::Unavailable& e) {
    return error_response(ErrorCode::unavailable, "The store is unavailable; try again", 2);
  } catch (const blobs::Unavailable& e) {
    spdlog::warn("blob store: {}", e.what());
    return error_response(ErrorCode::unavailable, "File storage is unavailable; try again", 2);
  }
  // Anything else is a bug: let the front door log it and answer 500.
}

}  // namespace k9::api
