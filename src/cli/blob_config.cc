#include "cli/blob_config.h"

#include "aws/credentials_chain.h"
#include "blobs/fs/fs_blob_store.h"
#include "blobs/s3/s3_blob_store.h"
#include "cli/runtime.h"
#include "core/error.h"

namespace k9::cli {

std::string public_url(const Config& c) {
  if (!c.public_url.empty()) return c.public_url;
  std::string host = c.host == "0.0.0.0" || c.host == "::" ? "127.0.0.1" : c.host;
  return "http://" + host + ":" + std::to_string(c.port) + c.base_path;
}

BlobWiring open_blobs(const Config& c) {
  std::string url = c.blobs.empty() ? "file:" + (c.data / "blobs").string() : c.blobs;
  BlobWiring w;
  if (url.rfind("file:", 0) == 0) {
    w.signer = std::make_shared<blobs::FileUrlSigner>(load_or_create_secret(c.data, "files.key"), public_url(c));
    auto store = std::make_unique<blobs::fs::FsBlobStore>(url.substr(5), w.signer);
    store->remove_stale_temporaries();
    w.store = std::move(store);
    return w;
  }
  if (url.rfind("s3://", 0) == 0) {
    try {
      w.store = std::make_unique<blobs::s3::S3BlobStore>(blobs::s3::S3Options::from_url(url), aws::default_credentials());
    } catch (const std::invalid_argument& e) {
      throw Error(ErrorCode::bad_request, std::string("--blobs: ") + e.what());
    }
    return w;
  }
  throw Error(ErrorCode::bad_request, "unsupported --blobs " + url + " (file:DIR or s3://BUCKET[/PREFIX])");
}

}  // namespace k9::cli
