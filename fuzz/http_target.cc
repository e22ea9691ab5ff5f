// URLs and paths of the HTTP front door: target splitting, path and query decoding, base
// paths, and routing the decoded path. Nothing may crash; decoded paths keep their contract.
#include <string>

#include "api/router.h"
#include "api/validation.h"
#include "core/error.h"
#include "fuzz_support.h"
#include "http/http_util.h"

using namespace k9;
using namespace k9::http::detail;

namespace {

const api::Router& router() {
  static const api::Router* r = [] {
    auto* router = new api::Router;
    auto ok = [](const api::Call&) { return api::Response{}; };
    for (const char* p : {"/reports", "/reports/{id}", "/reports/{id}/favorites/{productId}", "/user/profile"})
      router->add({"GET", p, p, api::Access::open, api::Blocking::never, api::Media::none, 0, ok});
    return router;
  }();
  return *r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto target = fuzz::as_text(data, size);
  std::string_view raw_path, raw_query;
  split_target(target, raw_path, raw_query);
  fuzz::check(raw_path.size() + raw_query.size() <= target.size(), "split_target grew the target");

  std::string path;
  if (decode_path(raw_path, path)) {
    fuzz::check(!path.empty() && path.front() == '/', "decoded path without a leading '/':", path);
    fuzz::check(path.find('\0') == std::string::npos, "decoded path with a NUL");
    auto m = router().match("GET", path);
    for (auto& [name, value] : m.params) {
      fuzz::check(!value.empty() && value.find('/') == std::string::npos, "a path parameter spans segments:", value);
      try {
        api::checked_report_id(value);
      } catch (const Error& e) {
        fuzz::check(e.code() == ErrorCode::not_found, "checked_report_id:", e.what());
      }
    }
    std::string base = normalize_base_path(raw_query.substr(0, 64));
    std::string stripped = path;
    if (strip_base_path(stripped, base))
      fuzz::check(!stripped.empty() && stripped.front() == '/', "stripped path without a leading '/':", stripped);
  }
  std::map<std::string, std::string> query;
  if (decode_query(raw_query, query)) {
    for (auto& [k, v] : query)
      fuzz::check(k.find('\0') == std::string::npos && v.find('\0') == std::string::npos, "decoded query with a NUL");
  }
  fuzz::check(is_sane_request_id(target) == is_sane_request_id(std::string(target)), "request id check unstable");
  return 0;
}
