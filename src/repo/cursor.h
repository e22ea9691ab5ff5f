// Opaque pagination cursors: a store's last_evaluated_key, serialised, authenticated with
// an HMAC-SHA256 under a server secret, and base64url-encoded. A cursor that was not made
// by this server (edited, truncated, forged) is refused with bad_request.
#pragma once
#include <string>

#include "store/item.h"

namespace k9::repo {

class CursorCodec {
 public:
  explicit CursorCodec(std::string secret) : secret_(std::move(secret)) {}
  std::string encode(const store::Item& key) const;
  // Throws k9::Error bad_request "Invalid cursor" for anything encode() did not make.
  store::Item decode(const std::string& cursor) const;

 private:
  std::string secret_;
};

}  // namespace k9::repo
