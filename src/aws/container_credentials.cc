#include "aws/container_credentials.h"

#include <boost/json.hpp>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

namespace k9::aws {

namespace {

constexpr const char* kEcsHost = "http://169.254.170.2";

std::string trim(std::string s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

}  // namespace

std::chrono::system_clock::time_point parse_iso8601_utc(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    throw CredentialsError("not an ISO-8601 time: " + text);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::string rest = text.substr(consumed);
  if (!rest.empty() && rest[0] == '.') rest = rest.substr(rest.find_first_not_of("0123456789", 1) == std::string::npos
                                                               ? rest.size()
                                                               : rest.find_first_not_of("0123456789", 1));
  if (rest != "Z" && rest != "+00:00") throw CredentialsError("not a UTC time: " + text);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

ContainerCredentials::ContainerCredentials(Getenv getenv, std::shared_ptr<HttpClient> http)
    : getenv_(std::move(getenv)), http_(std::move(http)) {
  if (!http_) {
    HttpClientOptions o;
    o.connect_timeout = std::chrono::milliseconds(1000);
    o.total_timeout = std::chrono::milliseconds(5000);
    http_ = std::make_shared<HttpClient>(o);
  }
}

std::string ContainerCredentials::var(const char* name) const {
  const char* v = getenv_(name);
  return v && *v ? v : "";
}

bool ContainerCredentials::configured() const {
  return !var("AWS_CONTAINER_CREDENTIALS_FULL_URI").empty() || !var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").empty();
}

Credentials ContainerCredentials::get() {
  std::string url = var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  if (!url.empty()) {
    url = kEcsHost + url;
  } else {
    url = var("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  }
  if (url.empty())
    throw CredentialsError("neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set");

  HttpRequest req{"GET", url, {{"Accept", "application/json"}}, ""};
  std::string token_file = var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  if (!token_file.empty()) {
    std::ifstream in(token_file, std::ios::binary);
    if (!in) throw CredentialsError("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + token_file);
    std::stringstream ss;
    ss << in.rdbuf();
    req.set_header("Authorization", trim(ss.str()));
  } else if (std::string token = var("AWS_CONTAINER_AUTHORIZATION_TOKEN"); !token.empty()) {
    req.set_header("Authorization", token);
  }

  std::string last_error;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (attempt) std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
    HttpResult r = http_->send(req);
    if (!r.ok()) {
      last_error = r.error().message;
      continue;
    }
    const HttpResponse& resp = r.response();
    if (resp.status >= 500 || resp.status == 429) {
      last_error = "status " + std::to_string(resp.status);
      continue;
    }
    if (resp.status != 200)
      throw CredentialsError("container credentials endpoint " + url + " answered " + std::to_string(resp.status) +
                             ": " + resp.body.substr(0, 200));
    try {
      auto o = boost::json::parse(resp.body).as_object();
      Credentials c;
      c.access_key_id = o.at("AccessKeyId").as_string().c_str();
      c.secret_access_key = o.at("SecretAccessKey").as_string().c_str();
      if (auto* t = o.if_contains("Token")) c.session_token = t->as_string().c_str();
      if (auto* e = o.if_contains("Expiration")) c.expiration = parse_iso8601_utc(e->as_string().c_str());
      return c;
    } catch (const CredentialsError&) {
      throw;
    } catch (const std::exception& e) {
      throw CredentialsError("container credentials endpoint " + url + " answered malformed JSON: " + e.what());
    }
  }
  throw CredentialsError("container credentials endpoint " + url + " failed: " + last_error);
}

}  // namespace k9::aws
