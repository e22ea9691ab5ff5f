#include "aws/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <new>

namespace k9::aws {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void global_init() {
  static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  if (!done) throw std::bad_alloc();
}

struct BodyTarget {
  CURL* handle;
  const HttpRequest* request;
  std::string* body;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<BodyTarget*>(user);
  if (t->request->body_sink) {
    long status = 0;
    curl_easy_getinfo(t->handle, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) return t->request->body_sink(std::string_view(data, size * n)) ? size * n : 0;
  }
  t->body->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    response->headers.clear();  // a new response (after 100-continue or a redirect)
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
  response->headers[lower(line.substr(0, colon))] = std::string(value);
  return size * n;
}

// Called by libcurl right before it sends the request on a connection, new or reused.
int on_send(void* user, char*, char*, int, int) {
  ++*static_cast<int*>(user);
  return CURL_PREREQFUNC_OK;
}

HttpErrorKind classify(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return HttpErrorKind::connect;
    case CURLE_OPERATION_TIMEDOUT:
      return HttpErrorKind::timeout;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return HttpErrorKind::connection_lost;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return HttpErrorKind::tls;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return HttpErrorKind::bad_request;
    default:
      return HttpErrorKind::other;
  }
}

}  // namespace

const std::string* HttpRequest::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (iequals(k, name)) return &v;
  return nullptr;
}

void HttpRequest::set_header(std::string name, std::string value) {
  std::erase_if(headers, [&](auto& h) { return iequals(h.first, name); });
  headers.emplace_back(std::move(name), std::move(value));
}

const std::string* HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? nullptr : &it->second;
}

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

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  global_init();
  if (options_.ca_bundle.empty()) options_.ca_bundle = system_ca_bundle();
}

HttpClient::~HttpClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* HttpClient::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  CURL* h = curl_easy_init();
  if (!h) throw std::bad_alloc();
  return h;
}

void HttpClient::release(void* handle) {
  std::lock_guard lock(mu_);
  if (idle_.size() < options_.max_idle_handles) {
    idle_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

HttpResult HttpClient::send(const HttpRequest& request) {
  CURL* h = static_cast<CURL*>(acquire());
  // Options are reset per request; the handle keeps its connection cache across resets.
  curl_easy_reset(h);
  HttpResponse response;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  for (auto& [k, v] : request.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  // libcurl adds "Expect: 100-continue" to larger bodies; AWS does not need the round trip.
  headers = curl_slist_append(headers, "Expect:");
  if (!request.header("Accept")) headers = curl_slist_append(headers, "Accept:");

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  BodyTarget body_target{h, &request, &response.body};
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body_target);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  if (!options_.ca_bundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, nullptr);  // bodies as sent: the CRC32 covers them
  int sends = 0;
  curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_send);
  curl_easy_setopt(h, CURLOPT_PREREQDATA, &sends);

  CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);

  if (rc != CURLE_OK) {
    // A failed transfer may leave the connection in an unknown state: drop the handle.
    curl_easy_cleanup(h);
    std::string what = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
    return HttpError{classify(rc), what + " (" + request.method + " " + request.url + ")", sends};
  }
  release(h);
  response.status = static_cast<int>(status);
  response.sends = std::max(sends, 1);
  return response;
}

}  // namespace k9::aws
