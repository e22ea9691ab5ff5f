#include "identity/cognito/http_call.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "core/error.h"

namespace k9::identity::cognito {

namespace {

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Sink {
  std::string* body;
  size_t max;
  bool overflow = false;
};

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * count;
  if (sink->body->size() + n > sink->max) {
    sink->overflow = true;
    return 0;  // makes libcurl abort the transfer
  }
  sink->body->append(data, n);
  return n;
}

CURL* thread_handle() {
  static std::once_flag global_init;
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  thread_local std::unique_ptr<CURL, CurlFree> handle(curl_easy_init());
  if (!handle) throw Error(ErrorCode::unavailable, "cannot initialise libcurl", 2);
  return handle.get();
}

}  // namespace

HttpReply http_call(const HttpCall& call) {
  CURL* curl = thread_handle();
  curl_easy_reset(curl);
  HttpReply reply;
  Sink sink{&reply.body, call.max_body};
  std::unique_ptr<curl_slist, SlistFree> headers;
  for (const auto& h : call.headers) {
    curl_slist* next = curl_slist_append(headers.get(), h.c_str());
    if (!next) throw Error(ErrorCode::unavailable, "out of memory building a request", 2);
    headers.release();
    headers.reset(next);
  }
  curl_easy_setopt(curl, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(call.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(call.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  if (call.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  } else if (call.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  CURLcode rc = curl_easy_perform(curl);
  if (sink.overflow) throw Error(ErrorCode::unavailable, "answer from " + call.url + " is too large", 2);
  if (rc != CURLE_OK)
    throw Error(ErrorCode::unavailable, "cannot reach " + call.url + ": " + curl_easy_strerror(rc), 2);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

}  // namespace k9::identity::cognito
