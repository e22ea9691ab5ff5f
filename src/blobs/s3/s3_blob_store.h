// The blob store on an S3 bucket (AWS mode), over src/aws: SigV4 signing (headers and
// presigned URLs), the credentials chain, the pooled HTTP client (aws/http_client.h) and the retry policy.
//
// Contract (beyond blobs/blob_store.h):
//  - Objects live at <prefix><key> in the bucket. Path-style addressing
//    (<endpoint>/<bucket>/<key>) whenever an endpoint is given (AWS_ENDPOINT_URL_S3, s3rver,
//    MinIO) or the bucket name has a dot; virtual-hosted (<bucket>.s3.<region>.amazonaws.com)
//    otherwise.
//  - Bodies are signed as UNSIGNED-PAYLOAD (TLS protects them; S3 checks the length), or
//    with their SHA-256 when sign_payload is set.
//  - Bodies above multipart_threshold go up as a multipart upload of part_size parts
//    (put_file() reads one part at a time, so memory stays at one part); a failed upload is
//    aborted, so nothing appears under the key.
//  - Throttling (429, SlowDown), 5xx, timeouts and cut connections are retried with backoff
//    within the RetryPolicy, then thrown as Unavailable. Other S3 errors (AccessDenied,
//    NoSuchBucket, ...) are thrown as Unavailable at once, with S3's code and message.
//  - Presigned URLs are SigV4 query-string URLs (X-Amz-Expires at most 7 days).
#pragma once
#include <atomic>
#include <functional>
#include <memory>

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "aws/retry_policy.h"
#include "blobs/blob_store.h"
#include "core/clock.h"

namespace k9::blobs::s3 {

struct S3Options {
  std::string bucket;
  std::string prefix;  // "" or ending in '/'
  std::string region = "us-east-1";
  std::string endpoint;  // "" = AWS's
  bool sign_payload = false;
  size_t multipart_threshold = 16 * 1024 * 1024;
  size_t part_size = 8 * 1024 * 1024;  // S3's minimum is 5 MiB (but for the last part)
  aws::RetryPolicy retry;
  aws::HttpClientOptions http{std::chrono::milliseconds(3000), std::chrono::milliseconds(120000), 64};
  // The signing time (tests compare presigned URLs made at one instant). Never null.
  const Clock* clock = &Clock::system();

  // From "s3://BUCKET[/PREFIX]" (SIMILARITY_BUCKET names the bucket of "s3://"), AWS_REGION
  // (else AWS_DEFAULT_REGION) and AWS_ENDPOINT_URL_S3 (else AWS_ENDPOINT_URL). Throws
  // std::invalid_argument for a malformed URL.
  static S3Options from_url(const std::string& url, const aws::Getenv& getenv = aws::process_environment());
  bool path_style() const { return !endpoint.empty() || bucket.find('.') != std::string::npos; }
};

class S3BlobStore final : public BlobStore {
 public:
  S3BlobStore(S3Options options, std::shared_ptr<aws::CredentialsProvider> credentials);

  void put(const std::string& key, std::string_view bytes, const std::string& content_type = "") override;
  void put_file(const std::string& key, const std::filesystem::path& file, const std::string& content_type = "") override;
  std::optional<Blob> get(const std::string& key) override;
  std::optional<BlobInfo> head(const std::string& key) override;
  void remove(const std::string& key) override;
  void copy(const std::string& from, const std::string& to) override;
  ListPage list(const std::string& prefix, const std::string& start = "", size_t limit = 1000) override;
  std::string presigned_get_url(const std::string& key, std::chrono::seconds expires) override;
  std::optional<std::string> presigned_put_url(const std::string& key, std::chrono::seconds expires) override;
  std::optional<BlobInfo> get_to_file(const std::string& key, const std::filesystem::path& file) override;

  // Creates the bucket when it does not exist (tests, `k9 blobs` on a fresh endpoint).
  void ensure_bucket();
  const S3Options& options() const { return options_; }
  uint64_t retries() const override { return retries_.load(); }

 private:
  std::string presigned_url(const char* method, const std::string& key, std::chrono::seconds expires);
  std::string object_url(const std::string& key, const std::string& query = "") const;
  std::string bucket_url(const std::string& query = "") const;
  aws::HttpResponse send(aws::HttpRequest& request, const std::string& what);
  void put_single(const std::string& key, std::string body, const std::string& content_type);
  // Multipart: next_part(buffer) fills the next part and answers false when there is none.
  void put_multipart(const std::string& key, const std::string& content_type,
                     const std::function<bool(std::string&)>& next_part);

  S3Options options_;
  std::shared_ptr<aws::CredentialsProvider> credentials_;
  aws::HttpClient http_;
  std::atomic<uint64_t> retries_{0};
};

}  // namespace k9::blobs::s3
