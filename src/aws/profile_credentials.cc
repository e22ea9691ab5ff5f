#include "aws/profile_credentials.h"

#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

namespace k9::aws {

namespace {

std::string trim(std::string s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

IniSections parse_ini(const std::string& text) {
  IniSections out;
  std::string section;
  bool in_section = false;
  std::istringstream in(text);
  std::string raw;
  while (std::getline(in, raw)) {
    if (!raw.empty() && (raw[0] == ' ' || raw[0] == '\t') && !trim(raw).empty()) continue;  // nested
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      size_t close = line.find(']');
      section = trim(line.substr(1, close == std::string::npos ? std::string::npos : close - 1));
      in_section = true;
      out[section];
      continue;
    }
    size_t eq = line.find('=');
    if (!in_section || eq == std::string::npos) continue;
    std::string key = trim(line.substr(0, eq));
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out[section][key] = trim(line.substr(eq + 1));
  }
  return out;
}

std::string ProfileCredentials::profile() const {
  const char* p = getenv_("AWS_PROFILE");
  return p && *p ? p : "default";
}

std::string ProfileCredentials::name() const { return "profile " + profile(); }

Credentials ProfileCredentials::get() {
  auto var = [&](const char* n) -> std::string {
    const char* v = getenv_(n);
    return v && *v ? v : "";
  };
  std::string home = var("HOME");
  std::string creds_path = var("AWS_SHARED_CREDENTIALS_FILE");
  if (creds_path.empty()) creds_path = home + "/.aws/credentials";
  std::string config_path = var("AWS_CONFIG_FILE");
  if (config_path.empty()) config_path = home + "/.aws/config";
  std::string p = profile();

  std::map<std::string, std::string> settings;
  if (auto text = read_file(config_path)) {
    auto ini = parse_ini(*text);
    auto it = ini.find(p == "default" ? "default" : "profile " + p);
    if (it == ini.end() && p == "default") it = ini.find("profile default");
    if (it != ini.end()) settings = it->second;
  }
  if (auto text = read_file(creds_path)) {
    auto ini = parse_ini(*text);
    if (auto it = ini.find(p); it != ini.end())
      for (auto& [k, v] : it->second) settings[k] = v;
  }
  Credentials c{settings["aws_access_key_id"], settings["aws_secret_access_key"], settings["aws_session_token"],
                std::nullopt};
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    if (settings.count("role_arn") || settings.count("credential_process") || settings.count("sso_session"))
      throw CredentialsError("profile " + p + " uses role_arn, credential_process or SSO, which K9 does not support");
    throw CredentialsError("profile " + p + " has no aws_access_key_id and aws_secret_access_key in " + creds_path +
                           " or " + config_path);
  }
  return c;
}

}  // namespace k9::aws
