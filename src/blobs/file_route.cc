#include "blobs/file_route.h"

namespace k9::blobs {

FileAnswer answer_signed_file(BlobStore& store, const FileUrlSigner& signer, const std::string& key,
                              const std::map<std::string, std::string>& query, TimePoint now) {
  FileAnswer a;
  auto expires = query.find("expires");
  auto signature = query.find("signature");
  if (expires == query.end() || signature == query.end()) {
    a.status = 403;
    a.message = "File links need expires and signature";
    return a;
  }
  switch (signer.check(key, expires->second, signature->second, now)) {
    case FileUrlSigner::Verdict::bad_signature:
      a.status = 403;
      a.message = "Invalid file signature";
      return a;
    case FileUrlSigner::Verdict::expired:
      a.status = 403;
      a.message = "File link has expired";
      return a;
    case FileUrlSigner::Verdict::ok:
      break;
  }
  auto blob = store.get(key);
  if (!blob) {
    a.status = 404;
    a.message = "File not found";
    return a;
  }
  a.bytes = std::move(blob->bytes);
  a.content_type = blob->info.content_type.empty() ? std::string(kDefaultContentType) : blob->info.content_type;
  a.max_age_seconds = std::max<long>(0, std::stol(expires->second) - std::chrono::system_clock::to_time_t(now));
  return a;
}

}  // namespace k9::blobs
