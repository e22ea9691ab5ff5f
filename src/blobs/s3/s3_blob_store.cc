#include "blobs/s3/s3_blob_store.h"

#include <spdlog/spdlog.h>

#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <thread>

#include "aws/sigv4.h"
#include "blobs/s3/s3_xml.h"

namespace k9::blobs::s3 {

namespace {

using aws::HttpRequest;
using aws::HttpResponse;

std::string enc(const std::string& s, bool keep_slash = false) { return aws::aws_uri_encode(s, keep_slash); }

TimePoint parse_iso8601(const std::string& t) {  // 2009-10-12T17:50:30.000Z
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &ms) < 6)
    return {};
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(::timegm(&tm)) + std::chrono::milliseconds(ms);
}

TimePoint parse_http_date(const std::string& t) {  // Wed, 12 Oct 2009 17:50:00 GMT
  std::tm tm{};
  if (!::strptime(t.c_str(), "%a, %d %b %Y %H:%M:%S", &tm)) return {};
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

bool retryable_code(const std::string& code) {
  return code == "SlowDown" || code == "InternalError" || code == "RequestTimeout" || code == "ServiceUnavailable" ||
         code == "Throttling" || code == "ThrottlingException" || code == "RequestTimeTooSkewed";
}

std::string describe(const HttpResponse& r) {
  std::string code = xml_text(r.body, "Code"), message = xml_text(r.body, "Message");
  if (code.empty()) return "HTTP " + std::to_string(r.status);
  return code + (message.empty() ? "" : ": " + message) + " (HTTP " + std::to_string(r.status) + ")";
}

std::string content_type_or_default(const std::string& t) { return t.empty() ? std::string(kDefaultContentType) : t; }

}  // namespace

S3Options S3Options::from_url(const std::string& url, const aws::Getenv& getenv) {
  auto var = [&](const char* n) -> std::string {
    const char* v = getenv(n);
    return v && *v ? v : "";
  };
  if (url.rfind("s3://", 0) != 0) throw std::invalid_argument("blob url must be s3://BUCKET[/PREFIX]: " + url);
  S3Options o;
  std::string rest = url.substr(5);
  auto slash = rest.find('/');
  o.bucket = rest.substr(0, slash);
  if (slash != std::string::npos) o.prefix = rest.substr(slash + 1);
  if (o.bucket.empty()) o.bucket = var("SIMILARITY_BUCKET");
  if (o.bucket.empty()) throw std::invalid_argument("s3:// names no bucket and SIMILARITY_BUCKET is not set");
  for (char c : o.bucket)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
          c == '.'))
      throw std::invalid_argument("bucket name '" + o.bucket + "' has characters S3 does not allow");
  if (!o.prefix.empty() && o.prefix.back() != '/') o.prefix += '/';
  if (!o.prefix.empty()) check_prefix(o.prefix);
  if (auto r = var("AWS_REGION"); !r.empty()) o.region = r;
  else if (auto d = var("AWS_DEFAULT_REGION"); !d.empty()) o.region = d;
  o.endpoint = var("AWS_ENDPOINT_URL_S3");
  if (o.endpoint.empty()) o.endpoint = var("AWS_ENDPOINT_URL");
  while (!o.endpoint.empty() && o.endpoint.back() == '/') o.endpoint.pop_back();
  return o;
}

S3BlobStore::S3BlobStore(S3Options options, std::shared_ptr<aws::CredentialsProvider> credentials)
    : options_(std::move(options)), credentials_(std::move(credentials)), http_(options_.http) {
  if (options_.part_size < 5 * 1024 * 1024) throw std::invalid_argument("S3 part_size must be at least 5 MiB");
  if (options_.multipart_threshold < options_.part_size) options_.multipart_threshold = options_.part_size;
}

std::string S3BlobStore::bucket_url(const std::string& query) const {
  std::string base = options_.path_style()
                         ? (options_.endpoint.empty() ? "https://s3." + options_.region + ".amazonaws.com"
                                                      : options_.endpoint) + "/" + options_.bucket
                         : "https://" + options_.bucket + ".s3." + options_.region + ".amazonaws.com/";
  return query.empty() ? base : base + "?" + query;
}

std::string S3BlobStore::object_url(const std::string& key, const std::string& query) const {
  std::string base = bucket_url();
  if (base.back() != '/') base += '/';
  base += enc(options_.prefix + key, true);
  return query.empty() ? base : base + "?" + query;
}

HttpResponse S3BlobStore::send(HttpRequest& req, const std::string& what) {
  aws::Backoff backoff(options_.retry);
  aws::SigningParams params;
  params.region = options_.region;
  params.service = "s3";
  params.normalize_path = false;
  params.escape_path = false;
  params.sign_body_header = true;
  if (!options_.sign_payload) params.payload_hash = "UNSIGNED-PAYLOAD";
  for (;;) {
    if (req.before_attempt) req.before_attempt();
    std::string failure;
    try {
      params.time = options_.clock->now();
      aws::sign_headers(req, credentials_->get(), params);
    } catch (const aws::CredentialsError& e) {
      throw Unavailable("S3 " + what + ": no credentials: " + e.what());
    }
    aws::HttpResult result = http_.send(req);
    if (!result.ok()) {
      failure = result.error().message;
    } else {
      HttpResponse& r = result.response();
      // CompleteMultipartUpload and CopyObject may answer 200 with an <Error> body.
      bool error_in_200 = r.status == 200 && req.method != "GET" && r.body.find("<Error>") != std::string::npos;
      std::string code = r.status >= 300 || error_in_200 ? xml_text(r.body, "Code") : "";
      if (r.status >= 500 || r.status == 429 || retryable_code(code)) {
        failure = describe(r);
      } else {
        if (error_in_200) throw Unavailable("S3 " + what + ": " + describe(r));
        return std::move(r);
      }
    }
    auto delay = backoff.next_delay();
    if (!delay)
      throw Unavailable("S3 " + what + ": " + failure + " (after " + std::to_string(backoff.attempts()) + " attempts)");
    ++retries_;
    spdlog::warn("s3 {}: {}; retry {} in {} ms", what, failure, backoff.attempts(), delay->count());
    std::this_thread::sleep_for(*delay);
  }
}

void S3BlobStore::put_single(const std::string& key, std::string body, const std::string& content_type) {
  HttpRequest req{"PUT", object_url(key), {{"Content-Type", content_type_or_default(content_type)}}, std::move(body)};
  auto r = send(req, "PutObject " + key);
  if (r.status != 200) throw Unavailable("S3 PutObject " + key + ": " + describe(r));
}

void S3BlobStore::put_multipart(const std::string& key, const std::string& content_type,
                                const std::function<bool(std::string&)>& next_part) {
  HttpRequest create{"POST", object_url(key, "uploads"), {{"Content-Type", content_type_or_default(content_type)}}, ""};
  auto created = send(create, "CreateMultipartUpload " + key);
  std::string upload_id = xml_text(created.body, "UploadId");
  if (created.status != 200 || upload_id.empty())
    throw Unavailable("S3 CreateMultipartUpload " + key + ": " + describe(created));
  std::string id_query = "uploadId=" + enc(upload_id);
  try {
    std::string parts_xml;
    std::string part;
    for (int number = 1; next_part(part); ++number) {
      if (number > 10000) throw Unavailable("S3 upload of " + key + " needs more than 10000 parts");
      HttpRequest up{"PUT", object_url(key, "partNumber=" + std::to_string(number) + "&" + id_query), {}, std::move(part)};
      auto r = send(up, "UploadPart " + key);
      const std::string* etag = r.header("etag");
      if (r.status != 200 || !etag) throw Unavailable("S3 UploadPart " + key + ": " + describe(r));
      parts_xml += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" + xml_escape(*etag) +
                   "</ETag></Part>";
      part.clear();
    }
    HttpRequest done{"POST", object_url(key, id_query), {{"Content-Type", "application/xml"}},
                     "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + parts_xml +
                         "</CompleteMultipartUpload>"};
    auto r = send(done, "CompleteMultipartUpload " + key);
    if (r.status != 200) throw Unavailable("S3 CompleteMultipartUpload " + key + ": " + describe(r));
  } catch (...) {
    HttpRequest abort{"DELETE", object_url(key, id_query), {}, ""};
    try {
      send(abort, "AbortMultipartUpload " + key);  // best effort; a lifecycle rule cleans the rest
    } catch (const std::exception&) {
    }
    throw;
  }
}

void S3BlobStore::put(const std::string& key, std::string_view bytes, const std::string& content_type) {
  check_key(key);
  if (bytes.size() <= options_.multipart_threshold) return put_single(key, std::string(bytes), content_type);
  size_t offset = 0;
  put_multipart(key, content_type, [&](std::string& part) {
    if (offset >= bytes.size()) return false;
    size_t n = std::min(options_.part_size, bytes.size() - offset);
    part.assign(bytes.substr(offset, n));
    offset += n;
    return true;
  });
}

void S3BlobStore::put_file(const std::string& key, const std::filesystem::path& file, const std::string& content_type) {
  check_key(key);
  std::ifstream in(file, std::ios::binary);
  struct stat st;
  if (!in || ::stat(file.c_str(), &st) != 0) throw Unavailable("cannot read " + file.string());
  size_t size = static_cast<size_t>(st.st_size);
  auto read_part = [&](std::string& part, size_t n) {
    part.resize(n);
    in.read(part.data(), static_cast<std::streamsize>(n));
    part.resize(static_cast<size_t>(in.gcount()));
    if (in.bad()) throw Unavailable("cannot read " + file.string());
  };
  if (size <= options_.multipart_threshold) {
    std::string body;
    read_part(body, size);
    return put_single(key, std::move(body), content_type);
  }
  put_multipart(key, content_type, [&](std::string& part) {
    read_part(part, options_.part_size);
    return !part.empty();
  });
}

std::optional<Blob> S3BlobStore::get(const std::string& key) {
  check_key(key);
  HttpRequest req{"GET", object_url(key), {}, ""};
  auto r = send(req, "GetObject " + key);
  if (r.status == 404) return std::nullopt;
  if (r.status != 200) throw Unavailable("S3 GetObject " + key + ": " + describe(r));
  Blob b;
  const std::string* type = r.header("content-type");
  const std::string* modified = r.header("last-modified");
  b.info = {key, r.body.size(), content_type_or_default(type ? *type : ""),
            modified ? parse_http_date(*modified) : TimePoint{}};
  b.bytes = std::move(r.body);
  return b;
}

std::optional<BlobInfo> S3BlobStore::get_to_file(const std::string& key, const std::filesystem::path& file) {
  check_key(key);
  HttpRequest req{"GET", object_url(key), {}, ""};
  std::ofstream out;
  uint64_t written = 0;
  bool opened = false;
  req.body_sink = [&](std::string_view chunk) {
    if (!opened) {  // each attempt starts the file again
      out.close();
      out.clear();
      out.open(file, std::ios::binary | std::ios::trunc);
      opened = true;
      written = 0;
    }
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    written += chunk.size();
    return static_cast<bool>(out);
  };
  req.before_attempt = [&] { opened = false; };
  auto r = send(req, "GetObject " + key);
  if (r.status == 404) return std::nullopt;
  if (r.status != 200) throw Unavailable("S3 GetObject " + key + ": " + describe(r));
  if (!opened) out.open(file, std::ios::binary | std::ios::trunc);  // an empty object
  out.close();
  if (!out) throw Unavailable("S3 GetObject " + key + ": cannot write " + file.string());
  const std::string* type = r.header("content-type");
  const std::string* modified = r.header("last-modified");
  return BlobInfo{key, written, content_type_or_default(type ? *type : ""),
                  modified ? parse_http_date(*modified) : TimePoint{}};
}

std::optional<BlobInfo> S3BlobStore::head(const std::string& key) {
  check_key(key);
  HttpRequest req{"HEAD", object_url(key), {}, ""};
  auto r = send(req, "HeadObject " + key);
  if (r.status == 404) return std::nullopt;
  if (r.status != 200) throw Unavailable("S3 HeadObject " + key + ": HTTP " + std::to_string(r.status));
  const std::string* length = r.header("content-length");
  const std::string* type = r.header("content-type");
  const std::string* modified = r.header("last-modified");
  return BlobInfo{key, length ? std::stoull(*length) : 0, content_type_or_default(type ? *type : ""),
                  modified ? parse_http_date(*modified) : TimePoint{}};
}

void S3BlobStore::remove(const std::string& key) {
  check_key(key);
  HttpRequest req{"DELETE", object_url(key), {}, ""};
  auto r = send(req, "DeleteObject " + key);
  if (r.status != 204 && r.status != 200 && r.status != 404)
    throw Unavailable("S3 DeleteObject " + key + ": " + describe(r));
}

void S3BlobStore::copy(const std::string& from, const std::string& to) {
  check_key(from);
  check_key(to);
  HttpRequest req{"PUT", object_url(to), {{"x-amz-copy-source", "/" + options_.bucket + "/" + enc(options_.prefix + from, true)}}, ""};
  auto r = send(req, "CopyObject " + from + " -> " + to);
  if (r.status == 404) throw NotFound("blob '" + from + "' does not exist");
  if (r.status != 200) throw Unavailable("S3 CopyObject " + from + " -> " + to + ": " + describe(r));
}

ListPage S3BlobStore::list(const std::string& prefix, const std::string& start, size_t limit) {
  check_prefix(prefix);
  if (limit == 0) limit = 1;
  if (limit > 1000) limit = 1000;
  std::string query = "list-type=2&max-keys=" + std::to_string(limit) + "&prefix=" + enc(options_.prefix + prefix);
  if (!start.empty()) query += "&start-after=" + enc(options_.prefix + start);
  HttpRequest req{"GET", bucket_url(query), {}, ""};
  auto r = send(req, "ListObjectsV2 " + prefix);
  if (r.status != 200) throw Unavailable("S3 ListObjectsV2 " + prefix + ": " + describe(r));
  ListPage page;
  for (const auto& block : xml_blocks(r.body, "Contents")) {
    std::string key = xml_text(block, "Key");
    if (key.compare(0, options_.prefix.size(), options_.prefix) != 0) continue;
    key.erase(0, options_.prefix.size());
    std::string size = xml_text(block, "Size");
    page.items.push_back({key, size.empty() ? 0 : std::stoull(size), "", parse_iso8601(xml_text(block, "LastModified"))});
  }
  if (xml_text(r.body, "IsTruncated") == "true" && !page.items.empty()) page.next = page.items.back().key;
  return page;
}

std::optional<std::string> S3BlobStore::presigned_put_url(const std::string& key, std::chrono::seconds expires) {
  return presigned_url("PUT", key, expires);
}

std::string S3BlobStore::presigned_get_url(const std::string& key, std::chrono::seconds expires) {
  return presigned_url("GET", key, expires);
}

std::string S3BlobStore::presigned_url(const char* method, const std::string& key, std::chrono::seconds expires) {
  check_key(key);
  HttpRequest req{method, object_url(key), {}, ""};
  aws::SigningParams params;
  params.region = options_.region;
  params.service = "s3";
  params.normalize_path = false;
  params.escape_path = false;
  params.payload_hash = "UNSIGNED-PAYLOAD";
  params.expires = std::clamp(expires, std::chrono::seconds(1), std::chrono::seconds(604800));
  params.time = options_.clock->now();
  try {
    aws::presign(req, credentials_->get(), params);
  } catch (const aws::CredentialsError& e) {
    throw Unavailable(std::string("S3 presign: no credentials: ") + e.what());
  }
  return req.url;
}

void S3BlobStore::ensure_bucket() {
  HttpRequest head{"HEAD", bucket_url(), {}, ""};
  if (send(head, "HeadBucket").status == 200) return;
  HttpRequest create{"PUT", bucket_url(), {}, ""};
  if (options_.region != "us-east-1") {
    create.body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" +
                  options_.region + "</LocationConstraint></CreateBucketConfiguration>";
  }
  auto r = send(create, "CreateBucket");
  if (r.status != 200 && xml_text(r.body, "Code") != "BucketAlreadyOwnedByYou")
    throw Unavailable("S3 CreateBucket " + options_.bucket + ": " + describe(r));
}

}  // namespace k9::blobs::s3
