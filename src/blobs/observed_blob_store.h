// A BlobStore that times every call of another and reports it to an OperationTap ("blobs.get",
// "blobs.put"...; failed when it threw), and otherwise is that store. Presigning makes no
// backend call and is not timed.
#pragma once
#include "blobs/blob_store.h"
#include "core/operation_tap.h"

namespace k9::blobs {

class ObservedBlobStore final : public BlobStore {
 public:
  ObservedBlobStore(BlobStore& inner, const OperationTap& tap) : inner_(inner), tap_(tap) {}

  void put(const std::string& key, std::string_view bytes, const std::string& content_type = "") override;
  void put_file(const std::string& key, const std::filesystem::path& file, const std::string& content_type = "") override;
  std::optional<Blob> get(const std::string& key) override;
  std::optional<BlobInfo> get_to_file(const std::string& key, const std::filesystem::path& file) override;
  std::optional<BlobInfo> head(const std::string& key) override;
  void remove(const std::string& key) override;
  void copy(const std::string& from, const std::string& to) override;
  ListPage list(const std::string& prefix, const std::string& start = "", size_t limit = 1000) override;
  std::string presigned_get_url(const std::string& key, std::chrono::seconds expires) override {
    return inner_.presigned_get_url(key, expires);
  }
  std::optional<std::string> presigned_put_url(const std::string& key, std::chrono::seconds expires) override {
    return inner_.presigned_put_url(key, expires);
  }
  uint64_t retries() const override { return inner_.retries(); }

 private:
  BlobStore& inner_;
  const OperationTap& tap_;
};

}  // namespace k9::blobs
