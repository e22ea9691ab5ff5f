// Stored image keys -> URLs a browser can fetch (signed K9 links or presigned S3 GETs), for
// every route that answers a user, report or product. Without file storage (tests of other
// concerns) values are shown as stored.
#pragma once
#include <boost/json/object.hpp>

#include "core/domain.h"
#include "uploads/image_files.h"

namespace k9::api {

Report with_browser_urls(uploads::ImageFiles* images, Report r);
User with_browser_urls(uploads::ImageFiles* images, User u);
// A product as JSON with browser urls in its images.
boost::json::object product_json(uploads::ImageFiles* images, const Product& product);

}  // namespace k9::api
