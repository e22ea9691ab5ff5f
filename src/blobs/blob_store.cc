#include <fstream>

#include "blobs/blob_store.h"

namespace k9::blobs {

// The fallback for stores that cannot stream: read whole, then write.
std::optional<BlobInfo> BlobStore::get_to_file(const std::string& key, const std::filesystem::path& file) {
  auto blob = get(key);
  if (!blob) return std::nullopt;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(blob->bytes.data(), static_cast<std::streamsize>(blob->bytes.size()));
  out.close();
  if (!out) throw Unavailable("cannot write " + file.string());
  return blob->info;
}

}  // namespace k9::blobs
