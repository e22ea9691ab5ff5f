// Wiring of the blob store from the configuration (SPEC section 5): --blobs / K9_BLOBS is
// file:DIR (default file:<data>/blobs; links signed with <data>/files.key and served by K9 at
// <public url>/files/...) or s3://BUCKET[/PREFIX] (SIMILARITY_BUCKET names the bucket of
// "s3://"; AWS_REGION, AWS_ENDPOINT_URL_S3, credentials from the usual chain).
#pragma once
#include <memory>
#include <string>

#include "blobs/blob_store.h"
#include "blobs/signed_url.h"

namespace k9::cli {

struct Config;

struct BlobWiring {
  std::shared_ptr<blobs::FileUrlSigner> signer;  // file: only
  std::unique_ptr<blobs::BlobStore> store;
};

BlobWiring open_blobs(const Config& config);
// Where browsers reach this K9: --public-url / K9_PUBLIC_URL, else http://<host>:<port><base path>.
std::string public_url(const Config& config);

}  // namespace k9::cli
