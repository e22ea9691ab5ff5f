#include "core/error.h"

namespace k9 {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request: return "BadRequest";
    case ErrorCode::unauthorized: return "Unauthorized";
    case ErrorCode::forbidden: return "Forbidden";
    case ErrorCode::not_found: return "NotFound";
    case ErrorCode::method_not_allowed: return "MethodNotAllowed";
    case ErrorCode::conflict: return "Conflict";
    case ErrorCode::gone: return "Gone";
    case ErrorCode::too_large: return "PayloadTooLarge";
    case ErrorCode::header_too_large: return "RequestHeaderFieldsTooLarge";
    case ErrorCode::unsupported_media: return "UnsupportedMediaType";
    case ErrorCode::too_many_requests: return "TooManyRequests";
    case ErrorCode::unavailable: return "ServiceUnavailable";
    case ErrorCode::internal: return "InternalError";
  }
  return "InternalError";
}

}  // namespace k9
