// What GET /files/{key}?expires=&signature= answers in embedded mode: the bytes of a blob
// named by a URL that FileUrlSigner made, while it has not expired. Transport-neutral, so the
// API route and the tests share it.
//
// Contract: 200 with the bytes and the stored content type; 403 for a missing, changed or
// foreign signature and for an expired link; 404 when the signature is good but the object
// is gone. The bytes of another key are never answered.
#pragma once
#include <map>
#include <string>

#include "blobs/blob_store.h"
#include "blobs/signed_url.h"

namespace k9::blobs {

struct FileAnswer {
  int status = 200;
  std::string bytes;         // status 200
  std::string content_type;  // status 200
  std::string message;       // otherwise
  long max_age_seconds = 0;  // how long a browser may cache it (until the link expires)
};

FileAnswer answer_signed_file(BlobStore& store, const FileUrlSigner& signer, const std::string& key,
                              const std::map<std::string, std::string>& query, TimePoint now);

}  // namespace k9::blobs
