#include "http/http_util.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <set>

namespace k9::http::detail {
namespace {

TEST(HttpUtil, SplitTarget) {
  std::string_view p, q;
  split_target("/a/b?x=1&y=2", p, q);
  EXPECT_EQ(p, "/a/b");
  EXPECT_EQ(q, "x=1&y=2");
  split_target("/a", p, q);
  EXPECT_EQ(p, "/a");
  EXPECT_EQ(q, "");
  split_target("/a?b?c", p, q);
  EXPECT_EQ(p, "/a");
  EXPECT_EQ(q, "b?c");
}

TEST(HttpUtil, DecodePath) {
  std::string out;
  ASSERT_TRUE(decode_path("/a%20b/c+d/%E2%82%AC", out));
  EXPECT_EQ(out, "/a b/c+d/\xE2\x82\xAC");
  ASSERT_TRUE(decode_path("/items/%2Fx", out));
  EXPECT_EQ(out, "/items//x");
  EXPECT_FALSE(decode_path("/a%zz", out));
  EXPECT_FALSE(decode_path("/a%2", out));
  EXPECT_FALSE(decode_path("/a%", out));
  EXPECT_FALSE(decode_path("/a%00b", out));
  EXPECT_FALSE(decode_path("a/b", out));
  EXPECT_FALSE(decode_path("", out));
}

TEST(HttpUtil, DecodeQuery) {
  std::map<std::string, std::string> q;
  ASSERT_TRUE(decode_query("a=1&b=x%20y&c=p+q&flag&&d=&e=%3D%26&a=2&k%20ey=v", q));
  EXPECT_EQ(q, (std::map<std::string, std::string>{{"a", "2"},
                                                   {"b", "x y"},
                                                   {"c", "p q"},
                                                   {"flag", ""},
                                                   {"d", ""},
                                                   {"e", "=&"},
                                                   {"k ey", "v"}}));
  q.clear();
  ASSERT_TRUE(decode_query("", q));
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(decode_query("a=%zz", q));
  EXPECT_FALSE(decode_query("a%=1", q));
  EXPECT_FALSE(decode_query("a=%00", q));
}

TEST(HttpUtil, BasePath) {
  EXPECT_EQ(normalize_base_path(""), "");
  EXPECT_EQ(normalize_base_path("/"), "");
  EXPECT_EQ(normalize_base_path("prod/"), "/prod");
  EXPECT_EQ(normalize_base_path("/prod"), "/prod");
  std::string p = "/prod/items/1";
  EXPECT_TRUE(strip_base_path(p, "/prod"));
  EXPECT_EQ(p, "/items/1");
  p = "/prod";
  EXPECT_TRUE(strip_base_path(p, "/prod"));
  EXPECT_EQ(p, "/");
  p = "/prod/";
  EXPECT_TRUE(strip_base_path(p, "/prod"));
  EXPECT_EQ(p, "/");
  p = "/production";
  EXPECT_FALSE(strip_base_path(p, "/prod"));
  p = "/pro";
  EXPECT_FALSE(strip_base_path(p, "/prod"));
  p = "/x";
  EXPECT_TRUE(strip_base_path(p, ""));
  EXPECT_EQ(p, "/x");
}

TEST(HttpUtil, RequestIds) {
  EXPECT_TRUE(is_sane_request_id("abc-DEF_012.x"));
  EXPECT_TRUE(is_sane_request_id(std::string(128, 'a')));
  EXPECT_FALSE(is_sane_request_id(std::string(129, 'a')));
  EXPECT_FALSE(is_sane_request_id(""));
  EXPECT_FALSE(is_sane_request_id("a b"));
  EXPECT_FALSE(is_sane_request_id("a\"b"));
  EXPECT_FALSE(is_sane_request_id("a/b"));
  std::set<std::string> seen;
  std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int i = 0; i < 100; ++i) {
    std::string id;
    new_request_id(id);
    EXPECT_TRUE(std::regex_match(id, uuid)) << id;
    EXPECT_TRUE(is_sane_request_id(id));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(HttpUtil, JsonStrings) {
  std::string out;
  append_json_string(out, std::string("a\"b\\c\nd\x01\x7f" "e", 10));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001\\u007fe\"");
  auto body = json_error_body("bad \"thing\"", "BadRequest");
  auto v = boost::json::parse(body).as_object();
  EXPECT_EQ(v.at("message").as_string(), "bad \"thing\"");
  EXPECT_EQ(v.at("code").as_string(), "BadRequest");
}

// A record of the fields both formats show; its views point at `method` and `path`, which
// must outlive it (literals here).
AccessRecord access_record(std::string_view method, std::string_view path, int status, double duration_ms) {
  AccessRecord r;
  r.request_id = "rid";
  r.method = method;
  r.path = path;
  r.status = status;
  r.bytes_in = 12;
  r.bytes_out = 34;
  r.duration_ms = duration_ms;
  return r;
}

TEST(HttpUtil, AccessLineIsJson) {
  std::string line;
  AccessRecord r = access_record("GET", "/a\"b", 404, 1.23456);
  r.remote = "127.0.0.1";
  r.route = "reports.get";
  r.user = "sub-1";
  format_access_line(line, r);
  auto v = boost::json::parse(line).as_object();
  EXPECT_EQ(v.at("route").as_string(), "reports.get");
  EXPECT_EQ(v.at("user").as_string(), "sub-1");
  EXPECT_EQ(v.at("request_id").as_string(), "rid");
  EXPECT_EQ(v.at("path").as_string(), "/a\"b");
  EXPECT_EQ(v.at("status").as_int64(), 404);
  EXPECT_EQ(v.at("bytes_in").as_int64(), 12);
  EXPECT_EQ(v.at("bytes_out").as_int64(), 34);
  EXPECT_NEAR(v.at("duration_ms").as_double(), 1.235, 1e-9);
  EXPECT_EQ(v.at("remote").as_string(), "127.0.0.1");
  std::regex ts("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$");
  EXPECT_TRUE(std::regex_match(std::string(v.at("ts").as_string()), ts)) << v.at("ts");
}

TEST(HttpUtil, AccessLineAsText) {
  std::string line;
  AccessRecord r = access_record("PUT", "/uploads/a\nb", 201, 2.5);
  r.route = "files.upload";
  format_access_text(line, r);
  std::regex re("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z 201 PUT /uploads/a\\?b files.upload 2.500ms in=12 out=34 user=- id=rid$");
  EXPECT_TRUE(std::regex_match(line, re)) << line;
}

TEST(HttpUtil, HttpDate) {
  std::string d;
  append_http_date(d);
  std::regex re("^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} "
                "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d{2}:\\d{2}:\\d{2} GMT$");
  EXPECT_TRUE(std::regex_match(d, re)) << d;
}

}  // namespace
}  // namespace k9::http::detail
