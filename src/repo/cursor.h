// Opaque pagination cursors: a store's last_evaluated_key, serialised, authenticated with
// an HMAC-SHA256 under a server secret, and base64url-encoded. A cursor that was not made
// by this server (edited, truncated, forged) is refused with bad_request.
#pragma once
#include <functional>
#include <string>

#include "store/item.h"

namespace k9::repo {

class CursorCodec {
 public:
  explicit CursorCodec(std::string secret) : secret_([s = std::move(secret)] { return s; }) {}
  // A secret that may come later (a deployment's shared key, fetched from the blob store while
  // the first requests are on their way): `secret` is called by every encode and decode, may
  // wait for it, and throws when it cannot be had (that request fails; the next one asks again).
  explicit CursorCodec(std::function<std::string()> secret) : secret_(std::move(secret)) {}
  std::string encode(const store::Item& key) const;
  // Throws k9::Error bad_request "Invalid cursor" for anything encode() did not make.
  store::Item decode(const std::string& cursor) const;

 private:
  std::function<std::string()> secret_;
};

}  // namespace k9::repo
