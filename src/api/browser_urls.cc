#include "api/browser_urls.h"

#include "core/json_codec.h"

namespace k9::api {

namespace json = boost::json;

Report with_browser_urls(uploads::ImageFiles* images, Report r) {
  if (!images) return r;
  for (auto& img : r.reference.images) {
    img.url = images->browser_url(img.url);
    if (img.mask) img.mask = images->browser_url(*img.mask);
  }
  return r;
}

User with_browser_urls(uploads::ImageFiles* images, User u) {
  if (images && !u.avatar_url.empty()) u.avatar_url = images->browser_url(u.avatar_url);
  return u;
}

json::object product_json(uploads::ImageFiles* images, const Product& product) {
  json::object o = to_json(product).as_object();
  if (images) {
    for (auto& img : o["images"].as_array()) {
      auto& io = img.as_object();
      if (auto* u = io.if_contains("url"); u && u->is_string()) *u = images->browser_url(std::string(u->as_string()));
      if (auto* mk = io.if_contains("mask"); mk && mk->is_string())
        *mk = images->browser_url(std::string(mk->as_string()));
    }
  }
  return o;
}

}  // namespace k9::api
