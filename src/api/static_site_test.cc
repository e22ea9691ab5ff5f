#include "api/static_site.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/base/temp_dir.h"

namespace k9::api {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

Request get(const std::string& path, const std::string& method = "GET") {
  Request r;
  r.method = method;
  r.path = path;
  return r;
}

TEST(StaticSite, ServesPagesAssetsAndNothingOutside) {
  testkit::TempDir dir{"static-site"};
  fs::path site = dir.path() / "out";
  write(site / "index.html", "home");
  write(site / "fetch" / "index.html", "fetch page");
  write(site / "about.html", "about");
  write(site / "_next" / "static" / "a1.js", "js");
  write(dir.path() / "secret.txt", "secret");
  fs::create_symlink(dir.path() / "secret.txt", site / "leak.txt");
  StaticSite s(site);

  EXPECT_EQ(s.serve(get("/"))->body, "home");
  EXPECT_EQ(s.serve(get("/fetch/"))->body, "fetch page");
  EXPECT_EQ(s.serve(get("/fetch"))->body, "fetch page");
  EXPECT_EQ(s.serve(get("/about"))->body, "about");
  auto js = s.serve(get("/_next/static/a1.js"));
  ASSERT_TRUE(js);
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js->headers.at(0).second, "public, max-age=31536000, immutable");
  EXPECT_EQ(s.serve(get("/"))->headers.at(0).second, "no-cache");
  EXPECT_EQ(s.serve(get("/"))->content_type, "text/html; charset=utf-8");

  EXPECT_FALSE(s.serve(get("/../secret.txt")));
  EXPECT_FALSE(s.serve(get("/fetch/../../secret.txt")));
  EXPECT_FALSE(s.serve(get("/leak.txt"))) << "a link leading out of the folder";
  EXPECT_FALSE(s.serve(get("/nothing")));          // no 404.html: the API's JSON 404
  EXPECT_FALSE(s.serve(get("/", "POST")));
  write(site / "404.html", "not here");
  auto missing = s.serve(get("/nothing"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "not here");
}

}  // namespace
}  // namespace k9::api
