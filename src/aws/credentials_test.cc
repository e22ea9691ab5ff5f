#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "aws/container_credentials.h"
#include "aws/credentials_chain.h"
#include "aws/loopback_http_server.h"
#include "aws/profile_credentials.h"

namespace k9::aws {
namespace {

namespace fs = std::filesystem;
using testing::LoopbackHttpServer;
using testing::ServedRequest;
using testing::ServedResponse;

struct Env {
  std::map<std::string, std::string> vars;
  Getenv fn() {
    return [this](const char* n) -> const char* {
      auto it = vars.find(n);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

fs::path temp_dir() {
  fs::path d = fs::temp_directory_path() / ("k9-aws-creds-" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

TEST(EnvironmentCredentials, ReadsKeysAndSessionToken) {
  Env env{{{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "SECRET"}, {"AWS_SESSION_TOKEN", "TOKEN"}}};
  auto c = EnvironmentCredentials(env.fn()).get();
  EXPECT_EQ(c.access_key_id, "AKID");
  EXPECT_EQ(c.secret_access_key, "SECRET");
  EXPECT_EQ(c.session_token, "TOKEN");
  env.vars.erase("AWS_SECRET_ACCESS_KEY");
  EXPECT_THROW(EnvironmentCredentials(env.fn()).get(), CredentialsError);
}

TEST(ProfileCredentials, CredentialsFileWinsAndProfilesAreSelected) {
  fs::path dir = temp_dir();
  write(dir / "credentials",
        "# comment\n[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = defaultsecret\n\n"
        "[work]\naws_access_key_id=WORKKEY\naws_secret_access_key=worksecret\naws_session_token = worktoken\n");
  write(dir / "config",
        "[default]\nregion = eu-west-1\n[profile cfgonly]\naws_access_key_id = CFGKEY\naws_secret_access_key = cfgsecret\n"
        "s3 =\n  max_concurrent_requests = 10\n[profile role]\nrole_arn = arn:aws:iam::1:role/x\n");
  Env env{{{"AWS_SHARED_CREDENTIALS_FILE", (dir / "credentials").string()}, {"AWS_CONFIG_FILE", (dir / "config").string()}}};
  EXPECT_EQ(ProfileCredentials(env.fn()).get().access_key_id, "DEFAULTKEY");
  env.vars["AWS_PROFILE"] = "work";
  auto c = ProfileCredentials(env.fn()).get();
  EXPECT_EQ(c.access_key_id, "WORKKEY");
  EXPECT_EQ(c.secret_access_key, "worksecret");
  EXPECT_EQ(c.session_token, "worktoken");
  env.vars["AWS_PROFILE"] = "cfgonly";
  EXPECT_EQ(ProfileCredentials(env.fn()).get().access_key_id, "CFGKEY");
  env.vars["AWS_PROFILE"] = "role";
  try {
    ProfileCredentials(env.fn()).get();
    FAIL();
  } catch (const CredentialsError& e) {
    EXPECT_NE(std::string(e.what()).find("role_arn"), std::string::npos);
  }
  env.vars["AWS_PROFILE"] = "absent";
  EXPECT_THROW(ProfileCredentials(env.fn()).get(), CredentialsError);
}

TEST(ContainerCredentials, FetchesWithTheTokenFromTheFileAndParsesExpiration) {
  ServedRequest seen;
  LoopbackHttpServer server([&](const ServedRequest& r) {
    seen = r;
    return ServedResponse{200, {{"Content-Type", "application/json"}},
                          R"({"AccessKeyId":"ASIA1","SecretAccessKey":"s1","Token":"t1","Expiration":"2030-01-02T03:04:05Z"})"};
  });
  fs::path token = temp_dir() / "token";
  write(token, "file-token\n");
  Env env{{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url("/creds")},
           {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token.string()},
           {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored-when-file-set"}}};
  ContainerCredentials provider(env.fn());
  EXPECT_TRUE(provider.configured());
  auto c = provider.get();
  EXPECT_EQ(seen.target, "/creds");
  EXPECT_EQ(seen.headers["authorization"], "file-token");
  EXPECT_EQ(c.access_key_id, "ASIA1");
  EXPECT_EQ(c.session_token, "t1");
  ASSERT_TRUE(c.expiration);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*c.expiration), 1893553445);

  env.vars.erase("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "env-token";
  ContainerCredentials(env.fn()).get();
  EXPECT_EQ(seen.headers["authorization"], "env-token");
}

TEST(ContainerCredentials, RefusalAndGarbageAreCredentialsErrors) {
  LoopbackHttpServer refuses([](const ServedRequest&) { return ServedResponse{403, {}, "no"}; });
  Env env{{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", refuses.url()}}};
  EXPECT_THROW(ContainerCredentials(env.fn()).get(), CredentialsError);
  LoopbackHttpServer garbage([](const ServedRequest&) { return ServedResponse{200, {}, "{\"AccessKeyId\":1}"}; });
  env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = garbage.url();
  EXPECT_THROW(ContainerCredentials(env.fn()).get(), CredentialsError);
  Env none;
  EXPECT_FALSE(ContainerCredentials(none.fn()).configured());
  EXPECT_THROW(ContainerCredentials(none.fn()).get(), CredentialsError);
}

TEST(CachingCredentials, RefreshesBeforeExpiry) {
  std::atomic<int> fetches{0};
  LoopbackHttpServer server([&](const ServedRequest&) {
    int n = ++fetches;
    return ServedResponse{200, {}, "{\"AccessKeyId\":\"K" + std::to_string(n) +
                                       "\",\"SecretAccessKey\":\"s\",\"Token\":\"t\",\"Expiration\":\"2030-01-01T01:00:00Z\"}"};
  });
  Env env{{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url()}}};
  auto expiry = parse_iso8601_utc("2030-01-01T01:00:00Z");
  auto now = expiry - std::chrono::hours(1);
  CachingCredentials cache(std::make_shared<ContainerCredentials>(env.fn()), std::chrono::seconds(300),
                           [&] { return now; });
  EXPECT_EQ(cache.get().access_key_id, "K1");
  now = expiry - std::chrono::minutes(10);
  EXPECT_EQ(cache.get().access_key_id, "K1") << "10 minutes left: still cached";
  now = expiry - std::chrono::minutes(4);
  EXPECT_EQ(cache.get().access_key_id, "K2") << "inside the 5-minute window: refreshed";
  EXPECT_EQ(fetches.load(), 2);
}

TEST(CredentialsChain, TakesTheFirstProviderThatHasCredentials) {
  fs::path dir = temp_dir();
  write(dir / "credentials2", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = s\n");
  Env env{{{"AWS_SHARED_CREDENTIALS_FILE", (dir / "credentials2").string()}, {"AWS_CONFIG_FILE", "/nonexistent"}}};
  EXPECT_EQ(default_credentials(env.fn())->get().access_key_id, "FILEKEY");
  env.vars["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  env.vars["AWS_SECRET_ACCESS_KEY"] = "s";
  EXPECT_EQ(default_credentials(env.fn())->get().access_key_id, "ENVKEY");
  Env none{{{"HOME", "/nonexistent"}}};
  try {
    default_credentials(none.fn())->get();
    FAIL();
  } catch (const CredentialsError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("environment"), std::string::npos);
    EXPECT_NE(m.find("profile default"), std::string::npos);
    EXPECT_NE(m.find("container"), std::string::npos);
  }
}

}  // namespace
}  // namespace k9::aws
