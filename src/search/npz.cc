// The .npz (npz.h): the arrays in a zip (libzip, in memory) and a ScoreMatrix mapped onto
// them and back. The .npy format of each array is npy.h.
#include "search/npz.h"

#include <zip.h>

#include <bit>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "search/npy.h"

namespace k9::search {

static_assert(std::endian::native == std::endian::little, ".npy arrays are written little-endian as in memory");

namespace {

using namespace npy;

constexpr std::string_view kIds = "product_ids";
constexpr std::string_view kFingerprint = "snapshot_fingerprint";
constexpr std::string_view kModelVersion = "model_version";
constexpr std::string_view kReference = "reference_product_id";
constexpr time_t kEntryTime = 946684800;  // 2000-01-01: fixed, so equal matrices give equal bytes
constexpr size_t kMaxIdWidth = 1024;
constexpr size_t kMaxTextWidth = 4096;
constexpr uint64_t kDeflateMaxRatio = 1032;  // deflate cannot expand a byte into more than ~1032

// ---- writing ----

struct ZipDeleter {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct SourceDeleter {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};
struct FileDeleter {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

// One .npy entry: header bytes plus an optional borrowed data block (not copied until libzip
// writes the archive).
struct PendingEntry {
  std::string name;
  std::string head;
  const void* data = nullptr;
  size_t size = 0;
};

void add_entry(zip_t* za, const PendingEntry& e) {
  zip_buffer_fragment_t frags[2];
  zip_uint64_t n = 0;
  frags[n++] = {reinterpret_cast<zip_uint8_t*>(const_cast<char*>(e.head.data())), e.head.size()};
  if (e.size) frags[n++] = {static_cast<zip_uint8_t*>(const_cast<void*>(e.data)), e.size};
  zip_source_t* src = zip_source_buffer_fragment(za, frags, n, 0);
  if (!src) throw std::runtime_error(std::string("npz: ") + zip_strerror(za));
  zip_int64_t idx = zip_file_add(za, e.name.c_str(), src, ZIP_FL_ENC_UTF_8);
  if (idx < 0) {
    zip_source_free(src);
    throw std::runtime_error(std::string("npz: ") + zip_strerror(za));
  }
  if (zip_set_file_compression(za, zip_uint64_t(idx), ZIP_CM_STORE, 0) < 0 ||
      zip_file_set_mtime(za, zip_uint64_t(idx), kEntryTime, 0) < 0)
    throw std::runtime_error(std::string("npz: ") + zip_strerror(za));
}

// ---- reading ----

// An opened .npy entry whose header has been read; its data follows.
class NpyReader {
 public:
  NpyReader(zip_t* za, std::string_view name, size_t input_size) : array_(name) {
    std::string entry = array_ + ".npy";
    zip_int64_t idx = zip_name_locate(za, entry.c_str(), 0);
    if (idx < 0) refuse("missing array " + array_);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za, zip_uint64_t(idx), 0, &st) < 0) refuse(array_ + ": " + zip_strerror(za));
    if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE) || !(st.valid & ZIP_STAT_COMP_METHOD))
      refuse(array_ + ": sizes unknown");
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
      refuse(array_ + " is encrypted");
    if (st.comp_method == ZIP_CM_STORE) {
      if (st.size != st.comp_size || st.size > input_size) refuse(array_ + ": declared size larger than the file");
    } else if (st.comp_method == ZIP_CM_DEFLATE) {
      if (st.comp_size > input_size || st.size / kDeflateMaxRatio > st.comp_size + 1)
        refuse(array_ + ": declared size impossible for its compressed size");
    } else {
      refuse(array_ + ": unsupported compression method " + std::to_string(st.comp_method));
    }
    size_ = st.size;
    file_.reset(zip_fopen_index(za, zip_uint64_t(idx), 0));
    if (!file_) refuse(array_ + ": " + zip_strerror(za));

    char prefix[12];
    read(prefix, 10);
    if (std::memcmp(prefix, "\x93NUMPY", 6) != 0) refuse(array_ + " is not a .npy array");
    uint8_t major = uint8_t(prefix[6]);
    uint64_t hlen, consumed;
    if (major == 1) {
      hlen = uint8_t(prefix[8]) | uint64_t(uint8_t(prefix[9])) << 8;
      consumed = 10;
    } else if (major == 2 || major == 3) {
      read(prefix + 10, 2);
      hlen = uint8_t(prefix[8]) | uint64_t(uint8_t(prefix[9])) << 8 | uint64_t(uint8_t(prefix[10])) << 16 |
             uint64_t(uint8_t(prefix[11])) << 24;
      consumed = 12;
    } else {
      refuse(array_ + ": unsupported .npy version " + std::to_string(major));
    }
    if (hlen > kMaxHeader || consumed + hlen > size_) refuse(array_ + ": .npy header too long");
    std::string text(hlen, '\0');
    read(text.data(), hlen);
    header_ = parse_npy_header(text, array_);
    data_size_ = size_ - consumed - hlen;
  }

  const NpyHeader& header() const { return header_; }
  const std::string& name() const { return array_; }

  // Number of elements of a vector (shape (n,)) or scalar-like (shape () or (1,)) array.
  uint64_t vector_length() const {
    if (header_.shape.size() != 1) refuse(array_ + " must be one-dimensional");
    return header_.shape[0];
  }
  void expect_scalar() const {
    if (!(header_.shape.empty() || (header_.shape.size() == 1 && header_.shape[0] == 1)))
      refuse(array_ + " must hold a single value");
  }
  // The item size of a |S<w> dtype, or a refusal.
  size_t bytes_width(size_t max) const {
    auto& d = header_.descr;
    std::string_view digits;
    if (d.size() > 2 && d[0] == '|' && d[1] == 'S') digits = std::string_view(d).substr(2);
    else if (d.size() > 1 && d[0] == 'S') digits = std::string_view(d).substr(1);
    size_t w = 0;
    for (char c : digits) {
      if (c < '0' || c > '9' || w > max) refuse(array_ + " must have dtype |S<n>, not " + d);
      w = w * 10 + size_t(c - '0');
    }
    if (digits.empty() || w == 0 || w > max) refuse(array_ + " must have dtype |S<n> (n 1.." + std::to_string(max) + "), not " + d);
    return w;
  }
  void expect_dtype(std::initializer_list<std::string_view> accepted, std::string_view shown) const {
    for (auto a : accepted)
      if (header_.descr == a) return;
    refuse(array_ + " must have dtype " + std::string(shown) + ", not " + header_.descr);
  }

  // Reads the whole data block into `out`, which must be exactly its size; then checks the
  // entry ends there (and its CRC).
  void read_data(void* out, uint64_t n) {
    if (n != data_size_)
      refuse(array_ + ": entry holds " + std::to_string(data_size_) + " data bytes, its header says " +
             std::to_string(n));
    read(out, n);
    char extra;
    zip_int64_t r = zip_fread(file_.get(), &extra, 1);
    if (r < 0) refuse(array_ + ": " + zip_file_strerror(file_.get()));
    if (r != 0) refuse(array_ + ": longer than declared");
  }
  // Checked before allocating: the data size a header implies must be what the entry holds.
  void expect_data_size(uint64_t n) const {
    if (n != data_size_)
      refuse(array_ + ": entry holds " + std::to_string(data_size_) + " data bytes, its header says " +
             std::to_string(n));
  }

 private:
  void read(void* out, uint64_t n) {
    auto* p = static_cast<char*>(out);
    while (n) {
      zip_int64_t r = zip_fread(file_.get(), p, n);
      if (r < 0) refuse(array_ + ": " + zip_file_strerror(file_.get()));
      if (r == 0) refuse(array_ + ": truncated");
      p += r;
      n -= uint64_t(r);
    }
  }

  std::string array_;
  std::unique_ptr<zip_file_t, FileDeleter> file_;
  uint64_t size_ = 0, data_size_ = 0;
  NpyHeader header_;
};

std::string read_text(zip_t* za, std::string_view name, size_t input_size) {
  NpyReader r(za, name, input_size);
  size_t w = r.bytes_width(kMaxTextWidth);
  r.expect_scalar();
  r.expect_data_size(w);
  std::string s(w, '\0');
  r.read_data(s.data(), w);
  s.erase(s.find_last_not_of('\0') + 1);  // numpy strips trailing NULs of bytes values
  return s;
}

void check_ids(const ScoreMatrix& m) {
  const size_t w = m.id_width, n = m.size();
  const char* base = m.ids.data();
  for (size_t i = 0; i < n; ++i) {
    const char* id = base + i * w;
    if (id[0] == '\0') refuse("product_ids[" + std::to_string(i) + "] is empty");
    auto* nul = static_cast<const char*>(std::memchr(id, '\0', w));
    if (nul)
      for (const char* p = nul; p < id + w; ++p)
        if (*p) refuse("product_ids[" + std::to_string(i) + "] holds a NUL byte");
    if (i && std::memcmp(id - w, id, w) >= 0) refuse("product_ids are not strictly ascending at " + std::to_string(i));
  }
}

}  // namespace

std::string encode_npz(const ScoreMatrix& m) {
  if (m.id_width == 0 ? !m.ids.empty() : m.ids.size() % m.id_width != 0)
    throw std::invalid_argument("npz: ids are not a whole number of id_width entries");
  const size_t n = m.size();
  for (size_t s = 0; s < kScoreCount; ++s)
    if (m.columns[s].size() != n)
      throw std::invalid_argument("npz: column " + std::string(score_name(Score(s))) + " has " +
                                  std::to_string(m.columns[s].size()) + " rows, ids " + std::to_string(n));

  std::vector<PendingEntry> entries;
  entries.reserve(kScoreCount + 4);
  const size_t width = std::max<size_t>(m.id_width, 1);
  entries.push_back({std::string(kIds) + ".npy", npy_header("|S" + std::to_string(width), vector_shape(n)),
                     m.ids.data(), m.ids.size()});
  for (size_t s = 0; s < kScoreCount; ++s)
    entries.push_back({std::string(score_name(Score(s))) + ".npy", npy_header("<f4", vector_shape(n)),
                       m.columns[s].data(), n * sizeof(float)});
  auto fp = npy_header("|u1", vector_shape(16));
  fp.append(reinterpret_cast<const char*>(m.snapshot_fingerprint.data()), 16);
  entries.push_back({std::string(kFingerprint) + ".npy", std::move(fp)});
  for (auto [name, value] : {std::pair{kModelVersion, std::string_view(m.model_version)},
                             std::pair{kReference, std::string_view(m.reference_product_id)}}) {
    auto text = padded_text(value);
    auto head = npy_header("|S" + std::to_string(text.size()), "()") + text;
    entries.push_back({std::string(name) + ".npy", std::move(head)});
  }

  zip_error_t err;
  zip_error_init(&err);
  std::unique_ptr<zip_source_t, SourceDeleter> out(zip_source_buffer_create(nullptr, 0, 0, &err));
  if (!out) throw std::runtime_error(std::string("npz: ") + zip_error_strerror(&err));
  std::unique_ptr<zip_t, ZipDeleter> za(zip_open_from_source(out.get(), ZIP_CREATE | ZIP_TRUNCATE, &err));
  if (!za) throw std::runtime_error(std::string("npz: ") + zip_error_strerror(&err));
  zip_source_keep(out.get());  // the archive now holds a reference too; ours outlives zip_close
  for (auto& e : entries) add_entry(za.get(), e);
  if (zip_close(za.get()) < 0) throw std::runtime_error(std::string("npz: ") + zip_strerror(za.get()));
  za.release();  // closed and freed by zip_close

  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_source_stat(out.get(), &st) < 0 || !(st.valid & ZIP_STAT_SIZE) || zip_source_open(out.get()) < 0)
    throw std::runtime_error("npz: cannot read the written archive");
  std::string bytes(st.size, '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    zip_int64_t r = zip_source_read(out.get(), bytes.data() + got, bytes.size() - got);
    if (r <= 0) break;
    got += size_t(r);
  }
  zip_source_close(out.get());
  if (got != bytes.size()) throw std::runtime_error("npz: cannot read the written archive");
  return bytes;
}

ScoreMatrix decode_npz(std::string_view bytes) {
  if (bytes.size() < 22 || bytes.substr(0, 2) != "PK") refuse("not a zip archive");
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
  if (!src) throw std::runtime_error(std::string("npz: ") + zip_error_strerror(&err));
  std::unique_ptr<zip_t, ZipDeleter> za(zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err));
  if (!za) {
    zip_source_free(src);
    std::string why = zip_error_strerror(&err);
    zip_error_fini(&err);
    refuse("not a zip archive (" + why + ")");
  }
  zip_t* z = za.get();
  const size_t in = bytes.size();

  ScoreMatrix m;
  uint64_t n;
  {
    NpyReader r(z, kIds, in);
    m.id_width = r.bytes_width(kMaxIdWidth);
    n = r.vector_length();
    r.expect_data_size(n * m.id_width);
    m.ids.resize(n * m.id_width);
    r.read_data(m.ids.data(), m.ids.size());
  }
  for (size_t s = 0; s < kScoreCount; ++s) {
    NpyReader r(z, score_name(Score(s)), in);
    r.expect_dtype({"<f4"}, "<f4");
    uint64_t len = r.vector_length();
    if (len != n)
      refuse(r.name() + " has " + std::to_string(len) + " rows, product_ids has " + std::to_string(n));
    r.expect_data_size(n * sizeof(float));
    m.columns[s].resize(n);
    r.read_data(m.columns[s].data(), n * sizeof(float));
  }
  {
    NpyReader r(z, kFingerprint, in);
    r.expect_dtype({"|u1", "<u1", "u1"}, "|u1");
    if (r.vector_length() != 16) refuse("snapshot_fingerprint must hold 16 bytes");
    r.read_data(m.snapshot_fingerprint.data(), 16);
  }
  m.model_version = read_text(z, kModelVersion, in);
  m.reference_product_id = read_text(z, kReference, in);
  check_ids(m);
  return m;
}

}  // namespace k9::search
