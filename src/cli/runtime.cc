#include "cli/runtime.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/random.h"
#include "store/sqlite/sqlite_store.h"

namespace k9::cli {

namespace fs = std::filesystem;

Config Config::from_env() {
  Config c;
  auto env = [](const char* n) -> const char* {
    const char* v = std::getenv(n);
    return v && *v ? v : nullptr;
  };
  if (auto v = env("K9_DATA")) c.data = v;
  if (auto v = env("K9_STORE")) c.store = v;
  if (auto v = env("K9_HOST")) c.host = v;
  if (auto v = env("K9_PORT")) c.port = std::atoi(v);
  if (auto v = env("K9_BASE_PATH")) c.base_path = v;
  if (auto v = env("K9_CORS_ORIGIN")) c.cors_origin = v;
  return c;
}

std::string load_or_create_secret(const fs::path& data, const std::string& name) {
  fs::path path = data / name;
  if (fs::exists(path)) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().size() < 32) throw std::runtime_error(path.string() + " is too short to be a secret");
    return ss.str();
  }
  std::string secret = random_bytes(32);
  fs::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || ::write(fd, secret.data(), secret.size()) != static_cast<ssize_t>(secret.size()) || ::fsync(fd) != 0)
    throw std::runtime_error("cannot write " + tmp.string());
  ::close(fd);
  fs::rename(tmp, path);
  return secret;
}

namespace {
std::unique_ptr<store::Store> open_store(const Config& c) {
  std::string url = c.store.empty() ? "sqlite:" + (c.data / "k9.db").string() : c.store;
  if (url.rfind("sqlite:", 0) == 0) return std::make_unique<store::sqlite::SqliteStore>(url.substr(7));
  throw Error(ErrorCode::bad_request, "unsupported --store " + url + " (this build knows sqlite:PATH)");
}
}  // namespace

Runtime::Runtime(const Config& c) {
  fs::create_directories(c.data);
  fs::permissions(c.data, fs::perms::owner_all, fs::perm_options::replace);
  store_ = open_store(c);
  tables_ = repo::Tables::from_env([](const char* n) { return std::getenv(n); });
  for (auto& schema : tables_.schemas()) store_->ensure_table(schema);
  store_->ensure_table(identity::local::CredentialRepository::schema(tables_.identities));

  keys_ = std::make_unique<identity::local::KeyStore>(c.data);
  issuer_ = std::make_unique<identity::local::LocalIssuer>(*keys_);
  credentials_ = std::make_unique<identity::local::CredentialRepository>(*store_, tables_.identities);
  authenticator_ = std::make_unique<identity::local::LocalAuthenticator>(*credentials_, *issuer_);
  users_ = std::make_unique<repo::UserRepository>(*store_, tables_.users);
  reports_ = std::make_unique<repo::ReportRepository>(*store_, tables_,
                                                      repo::CursorCodec(load_or_create_secret(c.data, "cursor.key")));
  app_ = std::make_unique<api::App>(api::AppServices{*store_, *users_, *reports_, *issuer_, authenticator_.get(),
                                                     [this] { return keys_->jwks(); }});
}

Runtime::~Runtime() = default;

}  // namespace k9::cli
