#include "catalog/snapshot/snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace k9::catalog::snapshot {

namespace {
[[noreturn]] void bad(const std::string& why) { throw std::runtime_error("catalog snapshot: " + why); }
}  // namespace

Snapshot Snapshot::open(const std::filesystem::path& path) {
  static_assert(std::endian::native == std::endian::little, "the snapshot is mapped as little-endian");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) bad("cannot open " + path.string());
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(Header))) {
    ::close(fd);
    bad(path.string() + " is too short");
  }
  void* p = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) bad("cannot map " + path.string());
  try {
    return Snapshot(static_cast<const char*>(p), size_t(st.st_size));
  } catch (...) {
    ::munmap(p, size_t(st.st_size));
    throw;
  }
}

Snapshot::Snapshot(const char* data, size_t size) : data_(data), size_(size) {
  const Header& h = header();
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) bad("not a K9 catalog snapshot");
  if (h.format_version != kFormatVersion) bad("format version " + std::to_string(h.format_version) + " is not supported");
  if (h.file_size != size) bad("the file is truncated or padded");
  uint64_t records_end = sizeof(Header) + uint64_t(h.product_count) * sizeof(ProductRecord);
  uint64_t vectors_bytes = uint64_t(h.vector_count) * h.dimension * sizeof(float);
  if (records_end > size || h.strings_offset < records_end || h.strings_offset + h.strings_size > size ||
      h.vectors_offset < h.strings_offset + h.strings_size || h.vectors_offset % 64 != 0 ||
      h.vectors_offset + vectors_bytes > size)
    bad("its sections do not fit the file");
  if (h.model_version[sizeof h.model_version - 1] != '\0') bad("the model version is not terminated");
  records_ = reinterpret_cast<const ProductRecord*>(data_ + sizeof(Header));
  strings_ = data_ + h.strings_offset;
  vectors_ = reinterpret_cast<const float*>(data_ + h.vectors_offset);
  for (uint32_t i = 0; i < h.product_count; ++i) {
    const ProductRecord& r = records_[i];
    for (StringRef s : {r.id, r.brand, r.type, r.material, r.look, r.texture, r.finish, r.edge})
      if (uint64_t(s.offset) + s.length > h.strings_size) bad("a string lies outside the string blob");
    if (uint64_t(r.first_vector) + r.vector_count > h.vector_count) bad("a product's vectors lie outside the file");
  }
}

Snapshot::Snapshot(Snapshot&& o) noexcept { *this = std::move(o); }

Snapshot& Snapshot::operator=(Snapshot&& o) noexcept {
  if (this != &o) {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    records_ = o.records_, strings_ = o.strings_, vectors_ = o.vectors_;
  }
  return *this;
}

Snapshot::~Snapshot() {
  if (data_) ::munmap(const_cast<char*>(data_), size_);
}

std::string_view Snapshot::model_version() const { return header().model_version; }

std::span<const float> Snapshot::vectors(size_t i) const {
  const ProductRecord& r = records_[i];
  return {vectors_ + size_t(r.first_vector) * dimension(), size_t(r.vector_count) * dimension()};
}

}  // namespace k9::catalog::snapshot
