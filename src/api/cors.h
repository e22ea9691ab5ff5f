// CORS as the seed's API Gateway had it (SPEC section 3), one policy for every front door:
// the origin is configurable (default "*"); a preflight (OPTIONS, any path) needs no token and
// is answered by the front door without a handler.
#pragma once
#include <string_view>

namespace k9::api::cors {

inline constexpr std::string_view kAllowMethods = "GET,POST,PUT,PATCH,DELETE,OPTIONS";
inline constexpr std::string_view kAllowHeaders = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token";
inline constexpr std::string_view kMaxAgeSeconds = "600";

}  // namespace k9::api::cors
