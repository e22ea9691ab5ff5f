// A self-signed certificate and its key, made at run time for the loopback TLS tests
// (loopback_http_server.h): the certificate is its own CA, so its PEM file is the CA bundle a
// client is given to trust the server.
//
// Contract: self_signed() makes a P-256 key and a certificate valid for an hour for the given
// names ("DNS:localhost", "IP:127.0.0.1"); it throws std::runtime_error when OpenSSL fails.
#pragma once
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace k9::aws::testing {

struct TlsIdentity {
  std::string cert_pem, key_pem;

  static TlsIdentity self_signed(const std::string& subject_alt_names) {
    auto fail = [](const char* what) { return std::runtime_error(std::string("test certificate: ") + what); };
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    if (!key || !cert) throw fail("no key");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("k9 loopback"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, subject_alt_names.c_str()},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      if (!ext) throw fail("bad extension");
      X509_add_ext(cert.get(), ext, -1);
      X509_EXTENSION_free(ext);
    }
    if (!X509_sign(cert.get(), key.get(), EVP_sha256())) throw fail("cannot sign");
    TlsIdentity out;
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    char* data = nullptr;
    PEM_write_bio_X509(bio.get(), cert.get());
    out.cert_pem.assign(data, static_cast<size_t>(BIO_get_mem_data(bio.get(), &data)));
    BIO_reset(bio.get());
    PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    out.key_pem.assign(data, static_cast<size_t>(BIO_get_mem_data(bio.get(), &data)));
    return out;
  }

  // A server context presenting this certificate.
  std::shared_ptr<SSL_CTX> server_context() const {
    std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> c(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())),
                                                BIO_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> k(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())),
                                                BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(c.get(), nullptr, nullptr, nullptr), X509_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(PEM_read_bio_PrivateKey(k.get(), nullptr, nullptr, nullptr),
                                                            EVP_PKEY_free);
    if (!ctx || !cert || !key || SSL_CTX_use_certificate(ctx.get(), cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1)
      throw std::runtime_error("test certificate: no server context");
    return ctx;
  }
};

}  // namespace k9::aws::testing
