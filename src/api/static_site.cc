#include "api/static_site.h"

#include <fstream>
#include <sstream>

namespace k9::api {

namespace fs = std::filesystem;

namespace {

std::string media_type(const fs::path& p) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"}, {".svg", "image/svg+xml"},
      {".png", "image/png"},                 {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},               {".webp", "image/webp"},
      {".ico", "image/x-icon"},              {".woff2", "font/woff2"},
      {".woff", "font/woff"},                {".map", "application/json"}};
  std::string ext = p.extension().string();
  for (auto& [e, t] : kTypes)
    if (ext == e) return t;
  return "application/octet-stream";
}

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

StaticSite::StaticSite(fs::path root) : root_(fs::weakly_canonical(std::move(root))) {}

std::optional<fs::path> StaticSite::resolve(const std::string& path) const {
  if (path.empty() || path.front() != '/') return std::nullopt;
  fs::path rel;
  size_t i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string seg = path.substr(i, j - i);
    if (seg == "..") return std::nullopt;
    if (!seg.empty() && seg != ".") rel /= seg;
    i = j + 1;
  }
  std::vector<fs::path> candidates;
  if (path.back() == '/') {
    candidates.push_back(root_ / rel / "index.html");
  } else {
    candidates.push_back(root_ / rel);
    fs::path html = root_ / rel;
    html += ".html";
    candidates.push_back(html);
    candidates.push_back(root_ / rel / "index.html");
  }
  for (auto& c : candidates) {
    std::error_code ec;
    if (!fs::is_regular_file(c, ec)) continue;
    auto real = fs::weakly_canonical(c, ec);
    if (ec) continue;
    auto [end, _] = std::mismatch(root_.begin(), root_.end(), real.begin(), real.end());
    if (end != root_.end()) continue;  // a link leading out of the folder
    return real;
  }
  return std::nullopt;
}

std::optional<Response> StaticSite::serve(const Request& request) const {
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
  Response r;
  auto file = resolve(request.path);
  if (!file) {
    file = resolve("/404.html");
    if (!file) return std::nullopt;
    r.status = 404;
  }
  auto bytes = read_file(*file);
  if (!bytes) return std::nullopt;
  r.body = std::move(*bytes);
  r.content_type = media_type(*file);
  bool hashed = request.path.starts_with("/_next/static/");
  r.headers.emplace_back("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace k9::api
