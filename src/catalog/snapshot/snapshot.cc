#include "catalog/snapshot/snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "vision/features.h"

namespace k9::catalog::snapshot {

static_assert(vision::kDimension == 90);

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
  if (h.dimension != vision::kDimension) bad("vectors of " + std::to_string(h.dimension) + " floats are not k9-classic-1's");
  if (h.block_size != sizeof(VectorBlock)) bad("vector blocks of " + std::to_string(h.block_size) + " bytes are not supported");
  if (h.palette_count > kMaxPalette || (h.vector_count > 0 && h.palette_count == 0)) bad("the palette size is out of range");
  uint64_t records_end = sizeof(Header) + uint64_t(h.product_count) * sizeof(ProductRecord);
  uint64_t terms_end = h.terms_offset + uint64_t(h.term_count) * sizeof(StringRef);
  uint64_t palette_end = h.palette_offset + uint64_t(h.palette_count) * sizeof(PaletteEntry);
  uint64_t blocks = (uint64_t(h.vector_count) + kLanes - 1) / kLanes;
  // Each bound is checked before it is added to, so that no sum overflows.
  auto fits = [&](uint64_t offset, uint64_t end) { return offset <= size && end >= offset && end <= size; };
  if (records_end > size || h.terms_offset < records_end || !fits(h.terms_offset, terms_end) ||
      h.strings_offset < terms_end || h.strings_size > size || !fits(h.strings_offset, h.strings_offset + h.strings_size) ||
      h.palette_offset < h.strings_offset + h.strings_size || h.palette_offset % 64 != 0 || !fits(h.palette_offset, palette_end) ||
      h.vectors_offset < palette_end || h.vectors_offset % 64 != 0 ||
      !fits(h.vectors_offset, h.vectors_offset + blocks * sizeof(VectorBlock)))
    bad("its sections do not fit the file");
  if (h.model_version[sizeof h.model_version - 1] != '\0') bad("the model version is not terminated");
  records_ = reinterpret_cast<const ProductRecord*>(data_ + sizeof(Header));
  terms_ = reinterpret_cast<const StringRef*>(data_ + h.terms_offset);
  strings_ = data_ + h.strings_offset;
  palette_ = reinterpret_cast<const PaletteEntry*>(data_ + h.palette_offset);
  blocks_ = reinterpret_cast<const VectorBlock*>(data_ + h.vectors_offset);
  for (uint32_t t = 0; t < h.term_count; ++t)
    if (uint64_t(terms_[t].offset) + terms_[t].length > h.strings_size) bad("a term lies outside the string blob");
  uint32_t id_max = 0;
  uint64_t next_vector = 0;
  for (uint32_t i = 0; i < h.product_count; ++i) {
    const ProductRecord& r = records_[i];
    for (StringRef s : {r.id, r.brand, r.type, r.material, r.look, r.texture, r.finish, r.edge})
      if (uint64_t(s.offset) + s.length > h.strings_size) bad("a string lies outside the string blob");
    if (r.first_vector != next_vector) bad("the products' vectors are not consecutive");
    next_vector += r.vector_count;
    if (next_vector > h.vector_count) bad("a product's vectors lie outside the file");
    if (r.type_term > h.term_count || r.material_term > h.term_count) bad("a category term is out of range");
    id_max = std::max(id_max, r.id.length);
    if (i > 0 && !(product_id(i - 1) < product_id(i))) bad("the product ids are not sorted and unique");
  }
  if (next_vector != h.vector_count) bad("some vectors belong to no product");
  if (id_max != h.max_id_length) bad("the longest id length is wrong");
  // Every palette code in range: the scorer indexes its look-up table with them unchecked.
  uint16_t code_max = 0;
  for (uint64_t b = 0; b < blocks; ++b)
    for (auto& row : blocks_[b].colour)
      for (uint16_t c : row) code_max = std::max(code_max, c);
  if (blocks > 0 && code_max >= h.palette_count) bad("a colour code lies outside the palette");

  ScoringColumns& c = scoring_;
  const size_t n = h.product_count, width = std::max<size_t>(1, h.max_id_length);
  c.first_vector.resize(n + 1), c.type_term.resize(n), c.material_term.resize(n), c.unitless.resize(n);
  c.length_mm.resize(n), c.width_mm.resize(n), c.thickness_mm.resize(n), c.ids.resize(n * width);
  for (size_t i = 0; i < n; ++i) {
    const ProductRecord& r = records_[i];
    c.first_vector[i] = r.first_vector, c.type_term[i] = r.type_term, c.material_term[i] = r.material_term;
    c.unitless[i] = r.unitless, c.length_mm[i] = r.length_mm, c.width_mm[i] = r.width_mm, c.thickness_mm[i] = r.thickness_mm;
    std::memcpy(c.ids.data() + i * width, strings_ + r.id.offset, r.id.length);
  }
  c.first_vector[n] = h.vector_count;
}

Snapshot::Snapshot(Snapshot&& o) noexcept { *this = std::move(o); }

Snapshot& Snapshot::operator=(Snapshot&& o) noexcept {
  if (this != &o) {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    records_ = o.records_, terms_ = o.terms_, strings_ = o.strings_, palette_ = o.palette_, blocks_ = o.blocks_;
    scoring_ = std::move(o.scoring_);
  }
  return *this;
}

Snapshot::~Snapshot() {
  if (data_) ::munmap(const_cast<char*>(data_), size_);
}

std::string_view Snapshot::model_version() const { return header().model_version; }

std::array<float, 90> Snapshot::dequantised(size_t i, size_t k) const {
  using namespace vision;
  std::array<float, 90> out{};
  size_t v = records_[i].first_vector + k;
  const VectorBlock& b = blocks_[v / kLanes];
  size_t lane = v % kLanes;
  auto sq = [](uint8_t x) { return float(x) * float(x) / (255.f * 255.f); };
  for (size_t c = 0; c < kColours; ++c) {
    const PaletteEntry& p = palette_[b.colour[c][lane]];
    float* o = out.data() + kColourOffset + c * kColourStride;
    o[0] = p.l, o[1] = p.a, o[2] = p.b, o[3] = float(b.share[c][lane]) / 255.f;
  }
  for (size_t j = 0; j < kLevels * kLbpBins; ++j) out[kLbpOffset + j] = sq(b.lbp[j][lane]);
  for (size_t j = 0; j < kOrientBins; ++j) out[kOrientOffset + j] = sq(b.orient[j][lane]);
  for (size_t j = 0; j < kLevels; ++j) out[kSpectrumOffset + j] = sq(b.spectrum[j][lane]);
  return out;
}

Display Snapshot::display(size_t i) const {
  const ProductRecord& r = records_[i];
  Display d{};
  for (int k = 0; k < 3; ++k)
    for (int j = 0; j < 2; ++j) {
      d.colour[k][j] = float(r.display_colour[k][j]);
      d.pattern[k][j] = float(r.display_pattern[k][j]) / 255.f;
    }
  return d;
}

}  // namespace k9::catalog::snapshot
