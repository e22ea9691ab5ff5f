// Runs every case of AWS's signing test suite (shared/testdata/aws-signing-test-suite/v4),
// read at test time from the folder CMake passes as K9_AWS_SIGNING_SUITE, for both header
// signing and presigned URLs: canonical request, string to sign, signature, signed request.
#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <ctime>
#include <iomanip>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace k9::aws {
namespace {

namespace fs = std::filesystem;

fs::path suite_dir() { return K9_AWS_SIGNING_SUITE; }

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct ParsedRequest {
  std::string method, target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// request.txt: "METHOD TARGET HTTP/1.1", header lines (a line starting with whitespace
// continues the previous value), an empty line, the body.
ParsedRequest parse_request(const std::string& text) {
  ParsedRequest r;
  std::vector<std::string> lines;
  size_t i = 0;
  size_t body_at = std::string::npos;
  while (i < text.size()) {
    size_t nl = text.find('\n', i);
    std::string line = text.substr(i, nl == std::string::npos ? std::string::npos : nl - i);
    i = nl == std::string::npos ? text.size() : nl + 1;
    if (line.empty() && !lines.empty()) {
      body_at = i;
      break;
    }
    lines.push_back(line);
  }
  if (body_at != std::string::npos) r.body = text.substr(body_at);
  const std::string& first = lines.at(0);
  size_t sp1 = first.find(' ');
  size_t sp2 = first.rfind(" HTTP/");
  r.method = first.substr(0, sp1);
  r.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  for (size_t n = 1; n < lines.size(); ++n) {
    const std::string& l = lines[n];
    if ((l[0] == ' ' || l[0] == '\t') && !r.headers.empty()) {
      r.headers.back().second += "\n" + l;
      continue;
    }
    size_t colon = l.find(':');
    r.headers.emplace_back(l.substr(0, colon), l.substr(colon + 1));
  }
  return r;
}

std::chrono::system_clock::time_point parse_time(const std::string& iso) {
  std::tm tm{};
  std::istringstream in(iso);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

struct Case {
  Credentials credentials;
  SigningParams params;
  HttpRequest request;
};

Case load_case(const fs::path& dir) {
  auto ctx = boost::json::parse(read(dir / "context.json")).as_object();
  Case c;
  auto& cr = ctx.at("credentials").as_object();
  c.credentials.access_key_id = cr.at("access_key_id").as_string().c_str();
  c.credentials.secret_access_key = cr.at("secret_access_key").as_string().c_str();
  if (auto* t = cr.if_contains("token")) c.credentials.session_token = t->as_string().c_str();
  c.params.region = ctx.at("region").as_string().c_str();
  c.params.service = ctx.at("service").as_string().c_str();
  c.params.time = parse_time(ctx.at("timestamp").as_string().c_str());
  c.params.normalize_path = ctx.at("normalize").as_bool();
  c.params.sign_body_header = ctx.at("sign_body").as_bool();
  c.params.expires = std::chrono::seconds(ctx.at("expiration_in_seconds").to_number<int64_t>());
  if (auto* o = ctx.if_contains("omit_session_token")) c.params.omit_session_token = o->as_bool();
  ParsedRequest pr = parse_request(read(dir / "request.txt"));
  c.request.method = pr.method;
  c.request.url = "https://example.amazonaws.com" + pr.target;
  c.request.headers = pr.headers;
  c.request.body = pr.body;
  return c;
}

// The value of `name` in a signed-request file (first occurrence), or "".
std::string signed_header(const std::string& text, const std::string& name) {
  ParsedRequest r = parse_request(text);
  for (auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(suite_dir(), ec))
    if (e.is_directory()) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(SigningSuite, IsPresent) {
  // CI provides the suite; a missing folder must fail, never silently skip every case.
  EXPECT_EQ(case_names().size(), 38u) << "cases in " << suite_dir();
}

class SigningCase : public testing::TestWithParam<std::string> {};

// The suite's three intermediate steps of one way of signing ("header" or "query").
void expect_steps(const SigningResult& r, const fs::path& dir, const std::string& way) {
  EXPECT_EQ(r.canonical_request, read(dir / (way + "-canonical-request.txt")));
  EXPECT_EQ(r.string_to_sign, read(dir / (way + "-string-to-sign.txt")));
  EXPECT_EQ(r.signature, read(dir / (way + "-signature.txt")));
}

TEST_P(SigningCase, HeaderSigning) {
  fs::path dir = suite_dir() / GetParam();
  Case c = load_case(dir);
  expect_steps(sign_headers(c.request, c.credentials, c.params), dir, "header");
  std::string expected = read(dir / "header-signed-request.txt");
  ASSERT_TRUE(c.request.header("Authorization"));
  EXPECT_EQ(*c.request.header("Authorization"), signed_header(expected, "Authorization"));
  EXPECT_EQ(*c.request.header("X-Amz-Date"), signed_header(expected, "X-Amz-Date"));
  std::string token = signed_header(expected, "X-Amz-Security-Token");
  auto* ours = c.request.header("X-Amz-Security-Token");
  EXPECT_EQ(ours ? *ours : "", token);
}

TEST_P(SigningCase, PresignedUrl) {
  fs::path dir = suite_dir() / GetParam();
  Case c = load_case(dir);
  expect_steps(presign(c.request, c.credentials, c.params), dir, "query");
  ParsedRequest expected = parse_request(read(dir / "query-signed-request.txt"));
  EXPECT_EQ(c.request.url, "https://example.amazonaws.com" + expected.target);
  EXPECT_FALSE(c.request.header("Authorization"));
}

INSTANTIATE_TEST_SUITE_P(V4, SigningCase, testing::ValuesIn(case_names()), [](const auto& info) {
  std::string n = info.param;
  for (auto& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
});

TEST(SigV4, UriEncodingKeepsOnlyUnreserved) {
  EXPECT_EQ(aws_uri_encode("a b/c+d~e", true), "a%20b/c%2Bd~e");
  EXPECT_EQ(aws_uri_encode("a b/c", false), "a%20b%2Fc");
  EXPECT_EQ(aws_uri_encode("\xe1\x88\xb4", false), "%E1%88%B4");
}

TEST(SigV4, SignsARealisticDynamoDbRequest) {
  HttpRequest req{"POST", "http://127.0.0.1:8000/", {{"Content-Type", "application/x-amz-json-1.0"},
                                                       {"X-Amz-Target", "DynamoDB_20120810.ListTables"}}, "{}"};
  SigningParams p;
  p.region = "us-east-1";
  p.service = "dynamodb";
  p.time = parse_time("2026-01-02T03:04:05Z");
  Credentials c{"AKID", "SECRET", "", std::nullopt};
  auto r = sign_headers(req, c, p);
  EXPECT_EQ(*req.header("Host"), "127.0.0.1:8000");
  EXPECT_NE(r.canonical_request.find("content-type;host;x-amz-date;x-amz-target"), std::string::npos);
  EXPECT_NE(r.canonical_request.find(sha256_hex("{}")), std::string::npos);
  // Signing again at the same instant gives the same signature (deterministic).
  HttpRequest again{"POST", "http://127.0.0.1:8000/", {{"Content-Type", "application/x-amz-json-1.0"},
                                                         {"X-Amz-Target", "DynamoDB_20120810.ListTables"}}, "{}"};
  EXPECT_EQ(sign_headers(again, c, p).signature, r.signature);
  again.body = "{ }";
  EXPECT_NE(sign_headers(again, c, p).signature, r.signature);
}

}  // namespace
}  // namespace k9::aws
