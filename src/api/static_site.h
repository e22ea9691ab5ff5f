// A folder of static files served beside the API (`k9 serve --web DIR`: the web app's static
// export, so the app and its API share one origin and port). Only GET and HEAD of paths no
// route takes reach it.
//
// Contract: "/" and "/a/" answer a/index.html; "/a" answers the file a, else a.html, else
// a/index.html; nothing outside the folder is ever read (".." segments, links leading out);
// a miss answers the folder's 404.html with status 404 when it has one, else nullopt (the
// API's JSON 404). Files under /_next/static/ are content-hashed: cached for a year; others
// must be revalidated.
#pragma once
#include <filesystem>
#include <optional>

#include "api/handler.h"

namespace k9::api {

class StaticSite {
 public:
  explicit StaticSite(std::filesystem::path root);
  std::optional<Response> serve(const Request& request) const;

 private:
  std::optional<std::filesystem::path> resolve(const std::string& path) const;
  std::filesystem::path root_;
};

}  // namespace k9::api
