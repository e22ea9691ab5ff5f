// TLS client settings of the AWS module's HTTP client: where the CA certificates are, and one
// OpenSSL client context per CA bundle for the whole process.
//
// Contract:
//  - find_ca_bundle() is pure: it asks `getenv` and `exists` and nothing else.
//  - tls_client_context() loads a bundle once per process (about 140 certificates: a few
//    milliseconds) and shares the context between every client and connection that names it;
//    a bundle that cannot be loaded is an Error(unavailable) naming its path (and is tried again
//    on the next call). Peers are verified against the bundle, TLS 1.2 at least. Thread-safe.
#pragma once
#include <functional>
#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace k9::aws {

// Where this machine keeps its CA certificates, for TLS: AWS_CA_BUNDLE (the AWS SDKs' and CLI's
// variable) or SSL_CERT_FILE (OpenSSL's) when set, else the first bundle that exists of the
// usual places: Debian and Ubuntu's /etc/ssl/certs/ca-certificates.crt, Amazon Linux's (Lambda's
// provided.al2023) and Fedora's /etc/pki/tls/certs/ca-bundle.crt, and those of openSUSE and
// Alpine. OpenSSL's own default is the build machine's path, which the Lambda package carries
// to a machine that keeps its bundle elsewhere. Empty when none exists (OpenSSL's default then).
std::string find_ca_bundle(const std::function<const char*(const char*)>& getenv,
                           const std::function<bool(const std::string&)>& exists);
// find_ca_bundle() on this process's environment and file system, worked out once.
const std::string& system_ca_bundle();

// The shared client context verifying peers against `ca_bundle` (a PEM file; empty: OpenSSL's
// default paths).
std::shared_ptr<boost::asio::ssl::context> tls_client_context(const std::string& ca_bundle);

}  // namespace k9::aws
