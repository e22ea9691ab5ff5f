// Errors that cross layers. The domain raises k9::Error with a code that names what went
// wrong; front doors map codes to transport statuses (src/api/status.h). No I/O here.
#pragma once
#include <stdexcept>
#include <string>

namespace k9 {

enum class ErrorCode {
  bad_request,        // malformed or invalid input; message names the field
  unauthorized,       // missing, malformed, expired or wrongly signed token; bad credentials
  forbidden,          // authenticated but not allowed
  not_found,          // absent, or not the caller's
  method_not_allowed, // route exists, method does not
  conflict,           // version conflict, or state does not allow it yet
  gone,               // expired session or resource
  too_large,          // body or image over a limit
  unsupported_media,  // content type not accepted
  too_many_requests,  // throttled
  unavailable,        // a backend cannot answer now; retry later
  internal,           // a bug
};

// Stable machine-readable name of a code, used as the "code" of error bodies.
const char* error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string message, int retry_after_seconds = 0)
      : std::runtime_error(std::move(message)), code_(code), retry_after_(retry_after_seconds) {}
  ErrorCode code() const { return code_; }
  // Seconds the client should wait before retrying (0 = no hint).
  int retry_after() const { return retry_after_; }

 private:
  ErrorCode code_;
  int retry_after_;
};

inline Error bad_request(std::string m) { return Error(ErrorCode::bad_request, std::move(m)); }
inline Error not_found(std::string m) { return Error(ErrorCode::not_found, std::move(m)); }
inline Error unauthorized(std::string m) { return Error(ErrorCode::unauthorized, std::move(m)); }

}  // namespace k9
