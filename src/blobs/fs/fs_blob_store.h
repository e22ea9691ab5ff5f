// The blob store on a local folder (embedded mode): one file per key at <root>/<key>.
//
// Contract (beyond blobs/blob_store.h):
//  - put()/put_file()/copy() write a temporary file ".k9tmp-*" beside the target, fsync it,
//    rename it over the target and fsync the folder (and every folder they create), so a
//    crash leaves the old object or the new one. Temporary files are never listed and are
//    removed by remove_stale_temporaries() (run at start-up).
//  - copy() is a hard link when the file system allows it (objects are never changed in
//    place, so the copies stay independent), else a byte copy.
//  - The content type is kept in the extended attribute user.k9.content-type; on a file
//    system without user xattrs it is guessed from the key's extension.
//  - Keys are checked before any path is built; files are opened with O_NOFOLLOW, so a key
//    cannot reach outside <root>.
//  - list() reads the folder under the prefix and sorts: O(objects under the prefix) a page.
//  - Presigned URLs are K9's own signed URLs (blobs/signed_url.h), served by GET /files/{key};
//    they expire `expires` after the store's clock's now.
#pragma once
#include <filesystem>
#include <memory>

#include "blobs/blob_store.h"
#include "blobs/signed_url.h"
#include "core/clock.h"

namespace k9::blobs::fs {

class FsBlobStore final : public BlobStore {
 public:
  FsBlobStore(std::filesystem::path root, std::shared_ptr<const FileUrlSigner> signer,
              const Clock& clock = Clock::system());

  void put(const std::string& key, std::string_view bytes, const std::string& content_type = "") override;
  void put_file(const std::string& key, const std::filesystem::path& file, const std::string& content_type = "") override;
  std::optional<Blob> get(const std::string& key) override;
  std::optional<BlobInfo> head(const std::string& key) override;
  void remove(const std::string& key) override;
  void copy(const std::string& from, const std::string& to) override;
  ListPage list(const std::string& prefix, const std::string& start = "", size_t limit = 1000) override;
  std::string presigned_get_url(const std::string& key, std::chrono::seconds expires) override;

  // Deletes temporary files left by a crash; answers how many.
  size_t remove_stale_temporaries();
  const std::filesystem::path& root() const { return root_; }

 private:
  template <class WriteTo>
  void write_atomically(const std::string& key, const std::string& content_type, WriteTo write_to);
  std::filesystem::path parent_for_write(const std::string& key);

  std::filesystem::path root_;
  std::shared_ptr<const FileUrlSigner> signer_;
  const Clock& clock_;
};

}  // namespace k9::blobs::fs
