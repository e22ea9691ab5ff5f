#include "blobs/observed_blob_store.h"

namespace k9::blobs {

void ObservedBlobStore::put(const std::string& key, std::string_view bytes, const std::string& content_type) {
  timed_call(tap_, "blobs.put", [&] { inner_.put(key, bytes, content_type); });
}
void ObservedBlobStore::put_file(const std::string& key, const std::filesystem::path& file,
                                 const std::string& content_type) {
  timed_call(tap_, "blobs.put", [&] { inner_.put_file(key, file, content_type); });
}
std::optional<Blob> ObservedBlobStore::get(const std::string& key) {
  return timed_call(tap_, "blobs.get", [&] { return inner_.get(key); });
}
std::optional<BlobInfo> ObservedBlobStore::get_to_file(const std::string& key, const std::filesystem::path& file) {
  return timed_call(tap_, "blobs.get", [&] { return inner_.get_to_file(key, file); });
}
std::optional<BlobInfo> ObservedBlobStore::head(const std::string& key) {
  return timed_call(tap_, "blobs.head", [&] { return inner_.head(key); });
}
void ObservedBlobStore::remove(const std::string& key) {
  timed_call(tap_, "blobs.remove", [&] { inner_.remove(key); });
}
void ObservedBlobStore::copy(const std::string& from, const std::string& to) {
  timed_call(tap_, "blobs.copy", [&] { inner_.copy(from, to); });
}
ListPage ObservedBlobStore::list(const std::string& prefix, const std::string& start, size_t limit) {
  return timed_call(tap_, "blobs.list", [&] { return inner_.list(prefix, start, limit); });
}

}  // namespace k9::blobs
