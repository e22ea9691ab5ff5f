#include "aws/tls_context.h"

#include <boost/asio/ssl/context.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

#include "core/error.h"

namespace k9::aws {

std::string find_ca_bundle(const std::function<const char*(const char*)>& getenv,
                           const std::function<bool(const std::string&)>& exists) {
  for (const char* var : {"AWS_CA_BUNDLE", "SSL_CERT_FILE"})
    if (const char* v = getenv(var); v && *v) return v;
  for (const char* path : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                           "/etc/ssl/ca-bundle.pem", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
                           "/etc/ssl/cert.pem"})
    if (exists(path)) return path;
  return "";
}

const std::string& system_ca_bundle() {
  static const std::string bundle = find_ca_bundle([](const char* name) { return std::getenv(name); },
                                                   [](const std::string& path) {
                                                     std::error_code ec;
                                                     return std::filesystem::is_regular_file(path, ec);
                                                   });
  return bundle;
}

std::shared_ptr<boost::asio::ssl::context> tls_client_context(const std::string& ca_bundle) {
  namespace ssl = boost::asio::ssl;
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<ssl::context>> contexts;
  std::lock_guard lock(mu);
  if (auto it = contexts.find(ca_bundle); it != contexts.end()) return it->second;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1);
  context->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (ca_bundle.empty())
    context->set_default_verify_paths(ec);
  else
    context->load_verify_file(ca_bundle, ec);
  if (ec)
    throw Error(ErrorCode::unavailable, "cannot load the CA certificates " +
                                            (ca_bundle.empty() ? std::string("(OpenSSL's default paths)") : ca_bundle) +
                                            ": " + ec.message());
  contexts.emplace(ca_bundle, context);
  return context;
}

}  // namespace k9::aws
