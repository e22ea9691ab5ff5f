// AWS Signature Version 4: signs an HttpRequest with headers (Authorization) or as a
// presigned URL (query string), as AWS's signing test suite specifies.
//
// Contract:
//  - The request's url is absolute; its path and query are taken as written. With
//    escape_path (every service but S3) the path is percent-encoded once more for the
//    canonical request; without it the path must already be encoded the AWS way.
//  - Query parameters are decoded and re-encoded strictly (RFC 3986 unreserved kept) and
//    sorted; header names are lower-cased, values trimmed with inner whitespace runs
//    collapsed, repeated headers joined with ','.
//  - A Host header is added from the URL when the request has none. Every header of the
//    request is signed except those HTTP clients or proxies may change (user-agent, expect, ...).
//  - sign_headers() adds X-Amz-Date, X-Amz-Security-Token (when the credentials have one),
//    X-Amz-Content-Sha256 (with sign_body_header) and Authorization. presign() appends the
//    X-Amz-* parameters and X-Amz-Signature to the URL and changes no header.
//  - Both return the intermediate texts so tests can compare them with the suite's files.
#pragma once
#include <chrono>
#include <string>

#include "aws/credentials.h"
#include "aws/http_client.h"

namespace k9::aws {

struct SigningParams {
  std::string region;
  std::string service;
  std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
  bool normalize_path = true;        // remove "." and ".." segments and empty segments (not S3)
  bool escape_path = true;           // encode the path again for the canonical request (not S3)
  bool sign_body_header = false;     // add and sign x-amz-content-sha256 (S3)
  bool omit_session_token = false;   // add the session token after signing, unsigned (IoT style)
  std::chrono::seconds expires{3600};  // presign only
  std::string payload_hash;          // empty: SHA-256 of the body; or e.g. "UNSIGNED-PAYLOAD"
};

struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lower-case hex
};

SigningResult sign_headers(HttpRequest& request, const Credentials& credentials, const SigningParams& params);
SigningResult presign(HttpRequest& request, const Credentials& credentials, const SigningParams& params);

// Building blocks, exposed for tests and other signers.
std::string sha256_hex(std::string_view data);
std::string aws_uri_encode(std::string_view bytes, bool keep_slash);
std::string amz_date(std::chrono::system_clock::time_point t);  // 20150830T123600Z

}  // namespace k9::aws
