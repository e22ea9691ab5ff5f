// The blob store conformance suite: one set of tests every BlobStore passes. An adapter's
// test instantiates it with a target:
//
//   INSTANTIATE_TEST_SUITE_P(Fs, BlobStoreConformance, testing::Values(BlobTarget{"fs", open, fetch}));
//
// Every test works under its own random key prefix, so targets may be shared servers.
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "blobs/blob_store.h"

namespace k9::blobs {

struct FetchResult {
  int status = 0;
  std::string body;
  std::string content_type;
};

struct BlobTarget {
  std::string name;
  std::function<std::shared_ptr<BlobStore>()> open;
  // GETs a presigned URL as a browser would (no credentials), through the path that serves it.
  std::function<FetchResult(const std::string& url)> fetch;
  // False for a peer that accepts any well-formed signature (s3rver checks only the access key
  // and the expiry; the S3 adapter's own test checks its signatures against awscli's).
  bool checks_signatures = true;
  // False for a peer that writes objects in place, so a concurrent GET can see a partly
  // written object (s3rver; S3 itself is atomic per PUT): the atomicity test is skipped there.
  bool puts_are_atomic = true;
};

inline std::string PrintToString(const BlobTarget& t) { return t.name; }

class BlobStoreConformance : public testing::TestWithParam<BlobTarget> {
 protected:
  void SetUp() override;
  // "<test prefix>/<name>": a key no other test uses.
  std::string key(const std::string& name) const { return prefix_ + name; }
  std::shared_ptr<BlobStore> store_;
  std::string prefix_;  // "conf-<random>/"
};

}  // namespace k9::blobs
