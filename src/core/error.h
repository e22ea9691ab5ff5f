// The one error vocabulary of K9, as LevelDB's Status is one for a whole library: every layer
// raises k9::Error with a code that names what went wrong, the message its caller may be shown,
// the field at fault (for bad input), a retry hint, and a detail for logs only. Adapters
// translate their backend's failures into it at their edge (store/store.h, blobs/blob_store.h);
// the one mapping from code to HTTP status is api/responses.h's. No I/O here.
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
  header_too_large,   // request headers over the front door's limit
  unsupported_media,  // content type not accepted
  too_many_requests,  // throttled
  unavailable,        // a backend cannot answer now; retry later
  internal,           // a bug
};

// Stable machine-readable name of a code, used as the "code" of error bodies.
const char* error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  // what() and message() are both `message`.
  Error(ErrorCode code, std::string message, int retry_after_seconds = 0)
      : std::runtime_error(message), code_(code), retry_after_(retry_after_seconds), message_(std::move(message)) {}
  // An adapter's failure: `message` is what a client is told, `detail` (what()) what happened
  // underneath, for logs and job failure reasons only.
  Error(ErrorCode code, std::string message, const std::string& detail, int retry_after_seconds)
      : std::runtime_error(detail), code_(code), retry_after_(retry_after_seconds), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  // What a client may be shown.
  const std::string& message() const { return message_; }
  // Seconds the client should wait before retrying (0 = no hint).
  int retry_after() const { return retry_after_; }
  // The request field at fault ("reference.images[0].url"), empty when none is named.
  const std::string& field() const { return field_; }
  Error& with_field(std::string field) & {
    field_ = std::move(field);
    return *this;
  }
  Error&& with_field(std::string field) && {
    field_ = std::move(field);
    return std::move(*this);
  }
  // Transient: the same request may succeed later (a backend unavailable, throttled).
  bool transient() const { return code_ == ErrorCode::unavailable || code_ == ErrorCode::too_many_requests; }

 private:
  ErrorCode code_;
  int retry_after_;
  std::string message_;
  std::string field_;
};

inline Error bad_request(std::string m) { return Error(ErrorCode::bad_request, std::move(m)); }
inline Error not_found(std::string m) { return Error(ErrorCode::not_found, std::move(m)); }
inline Error unauthorized(std::string m) { return Error(ErrorCode::unauthorized, std::move(m)); }
// A bug or a state that should not be: clients are told "internal error", logs get `detail`.
inline Error internal_error(const std::string& detail) {
  return Error(ErrorCode::internal, "internal error", detail, 0);
}

}  // namespace k9
