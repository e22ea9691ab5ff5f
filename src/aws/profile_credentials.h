// Credentials from the shared files: ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE) and
// ~/.aws/config (AWS_CONFIG_FILE), profile AWS_PROFILE (default "default").
//
// Contract: the credentials file's [name] section wins over the config file's
// [profile name] section ([default] in either). aws_access_key_id, aws_secret_access_key and
// optional aws_session_token are read; the files are read afresh on every get(). Throws
// CredentialsError when neither file has both keys for the profile. Profiles that assume
// roles or run processes are not supported and say so.
#pragma once
#include <map>
#include <string>

#include "aws/credentials.h"

namespace k9::aws {

// INI as the AWS CLI writes it: "[section]", "key = value", '#' and ';' comments. Keys are
// lower-cased; indented lines (nested settings) are ignored.
using IniSections = std::map<std::string, std::map<std::string, std::string>>;
IniSections parse_ini(const std::string& text);

class ProfileCredentials : public CredentialsProvider {
 public:
  explicit ProfileCredentials(Getenv getenv = process_environment()) : getenv_(std::move(getenv)) {}
  Credentials get() override;
  std::string name() const override;

 private:
  std::string profile() const;
  Getenv getenv_;
};

}  // namespace k9::aws
