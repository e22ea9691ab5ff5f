#include "catalog/snapshot/writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

#include "catalog/snapshot/display.h"
#include "catalog/snapshot/snapshot_format.h"
#include "vision/features.h"

namespace k9::catalog::snapshot {

namespace fs = std::filesystem;
using namespace k9::vision;

namespace {

constexpr float kAbsent = std::numeric_limits<float>::quiet_NaN();

float to_mm(const std::optional<Dimension>& d) {
  if (!d) return kAbsent;
  double v = std::strtod(d->val.text.c_str(), nullptr);
  return float(d->unit == "in" ? v * 25.4 : v);
}

class StringBlob {
 public:
  StringRef add(std::string_view s) {
    StringRef r{uint32_t(blob_.size()), uint32_t(s.size())};
    if (blob_.size() + s.size() > UINT32_MAX) throw std::invalid_argument("catalog snapshot: strings exceed 4 GiB");
    blob_ += s;
    return r;
  }
  StringRef add(const std::optional<std::string>& s) { return s ? add(std::string_view(*s)) : StringRef{}; }
  const std::string& bytes() const { return blob_; }

 private:
  std::string blob_;
};

void write_all(int fd, const void* data, size_t n, const fs::path& path) {
  auto p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w <= 0) throw std::runtime_error("cannot write " + path.string());
    p += w, n -= size_t(w);
  }
}

uint8_t byte_of(double x) { return uint8_t(std::lround(std::clamp(std::isfinite(x) ? x : 0.0, 0.0, 1.0) * 255)); }
uint8_t sqrt_byte(float h) { return byte_of(std::sqrt(std::max(0.f, std::isfinite(h) ? h : 0.f))); }

// The palette: centroids of the occupied cells of a grid on (L*/2, a*, b*) (kL = 2 in the
// colour score: lightness counts half), the finest grid with at most kMaxPalette cells.
class Palette {
 public:
  explicit Palette(const std::vector<std::array<float, 3>>& colours) {
    if (colours.empty()) return;
    size_t stride = std::max<size_t>(1, colours.size() / 200000);
    auto cells_at = [&](double step) {
      std::unordered_map<uint64_t, uint32_t> cells;
      for (size_t i = 0; i < colours.size(); i += stride) {
        cells.emplace(key(colours[i], step), 0);
        if (cells.size() > kMaxPalette) break;
      }
      return cells.size();
    };
    double lo = 0.05, hi = 64;  // cells(hi) == 1 for any Lab colour set that fits in 64^3
    if (cells_at(lo) <= kMaxPalette * 3 / 4) hi = lo;
    for (int i = 0; i < 20 && hi / lo > 1.02; ++i) {
      double mid = std::sqrt(lo * hi);
      (cells_at(mid) <= kMaxPalette * 3 / 4 ? hi : lo) = mid;
    }
    step_ = hi;
    std::vector<std::array<double, 4>> sums;
    codes_.reserve(colours.size());
    for (auto& c : colours) {
      auto [it, added] = index_.emplace(key(c, step_), uint32_t(sums.size()));
      uint32_t code = it->second;
      if (added) {
        if (sums.size() == kMaxPalette) {  // a cell the sample missed, and no room: nearest entry
          index_.erase(it);
          code = nearest(c, sums);
        } else {
          sums.push_back({});
        }
      }
      auto& s = sums[code];
      s[0] += c[0], s[1] += c[1], s[2] += c[2], s[3] += 1;
      codes_.push_back(uint16_t(code));
    }
    for (auto& s : sums) entries_.push_back({float(s[0] / s[3]), float(s[1] / s[3]), float(s[2] / s[3]), 0});
  }
  const std::vector<PaletteEntry>& entries() const { return entries_; }
  uint16_t code(size_t i) const { return codes_[i]; }

 private:
  static uint64_t key(const std::array<float, 3>& c, double step) {
    auto q = [&](float x, double scale) { return uint64_t(int64_t(std::floor(x * scale / step)) + (1 << 20)) & 0x1fffff; };
    return q(c[0], 0.5) << 42 | q(c[1], 1) << 21 | q(c[2], 1);
  }
  static uint32_t nearest(const std::array<float, 3>& c, const std::vector<std::array<double, 4>>& sums) {
    uint32_t best = 0;
    double best_d = INFINITY;
    for (uint32_t i = 0; i < sums.size(); ++i) {
      double dl = (sums[i][0] / sums[i][3] - c[0]) / 2, da = sums[i][1] / sums[i][3] - c[1], db = sums[i][2] / sums[i][3] - c[2];
      double d = dl * dl + da * da + db * db;
      if (d < best_d) best_d = d, best = i;
    }
    return best;
  }
  double step_ = 1;
  std::unordered_map<uint64_t, uint32_t> index_;
  std::vector<uint16_t> codes_;
  std::vector<PaletteEntry> entries_;
};

}  // namespace

std::string normalised_term(std::string_view s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  std::string out = b == std::string_view::npos ? "" : std::string(s.substr(b, e - b + 1));
  for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Entry Entry::of(const Product& product, std::vector<float> vectors) {
  Entry e;
  e.id = product.id;
  e.brand = product.brand;
  e.category = product.category;
  for (auto& f : product.formats)
    for (auto& v : f.vendors) {
      float price = to_mm(v.price);
      if (std::isnan(price)) continue;
      if (std::isnan(e.price_min) || price < e.price_min) e.price_min = price;
      if (std::isnan(e.price_max) || price > e.price_max) e.price_max = price;
    }
  if (!product.formats.empty()) {
    e.length = product.formats[0].length, e.width = product.formats[0].width;
    e.thickness = product.formats[0].thickness;
  }
  e.vectors = std::move(vectors);
  return e;
}

WriteResult write_snapshot(const fs::path& file, const std::string& model_version,
                           const std::array<uint8_t, 16>& fingerprint, std::span<const Entry> entries) {
  if (model_version.size() >= sizeof(Header::model_version)) throw std::invalid_argument("model version too long");
  std::vector<uint32_t> order(entries.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return entries[a].id < entries[b].id; });
  size_t vector_count = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    const Entry& e = entries[order[i]];
    if (i > 0 && e.id == entries[order[i - 1]].id) throw std::invalid_argument("catalog snapshot: duplicate product id " + e.id);
    if (e.vectors.size() % kDimension != 0)
      throw std::invalid_argument("catalog snapshot: the vectors of " + e.id + " are not " + std::to_string(kDimension) + " floats each");
    vector_count += e.vectors.size() / kDimension;
  }
  if (entries.size() > UINT32_MAX || vector_count > UINT32_MAX) throw std::invalid_argument("catalog snapshot: too many vectors");

  // The palette, over every colour of every vector.
  std::vector<std::array<float, 3>> colours;
  colours.reserve(vector_count * kColours);
  for (uint32_t idx : order) {
    const auto& v = entries[idx].vectors;
    for (size_t off = 0; off < v.size(); off += kDimension)
      for (size_t k = 0; k < kColours; ++k) {
        const float* c = v.data() + off + kColourOffset + k * kColourStride;
        auto finite = [](float x) { return std::isfinite(x) ? x : 0.f; };
        colours.push_back({finite(c[0]), finite(c[1]), finite(c[2])});
      }
  }
  Palette palette(colours);
  colours = {};

  StringBlob strings;
  std::vector<StringRef> terms;
  std::unordered_map<std::string, uint16_t> term_index;
  auto term = [&](const std::optional<std::string>& s) -> uint16_t {
    if (!s) return 0;
    std::string n = normalised_term(*s);
    if (n.empty()) return 0;
    auto [it, added] = term_index.emplace(n, uint16_t(terms.size() + 1));
    if (added) {
      if (terms.size() == UINT16_MAX) throw std::invalid_argument("catalog snapshot: too many distinct types and materials");
      terms.push_back(strings.add(std::string_view(n)));
    }
    return it->second;
  };

  std::vector<ProductRecord> records(order.size());
  std::vector<VectorBlock> blocks((vector_count + kLanes - 1) / kLanes);
  if (!blocks.empty()) std::memset(blocks.data(), 0, blocks.size() * sizeof(VectorBlock));  // no vectors: no blocks
  size_t v = 0, max_id = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    const Entry& e = entries[order[i]];
    ProductRecord& r = records[i];
    r = {};
    r.id = strings.add(std::string_view(e.id));
    max_id = std::max(max_id, e.id.size());
    r.brand = strings.add(e.brand);
    r.type = strings.add(e.category.type), r.material = strings.add(e.category.material);
    r.look = strings.add(e.category.look), r.texture = strings.add(e.category.texture);
    r.finish = strings.add(e.category.finish), r.edge = strings.add(e.category.edge);
    r.type_term = term(e.category.type), r.material_term = term(e.category.material);
    r.price_min = e.price_min, r.price_max = e.price_max;
    r.length_mm = to_mm(e.length), r.width_mm = to_mm(e.width), r.thickness_mm = to_mm(e.thickness);
    r.unitless = uint8_t((e.length && e.length->unit == "none" ? kLengthUnitless : 0) |
                         (e.width && e.width->unit == "none" ? kWidthUnitless : 0) |
                         (e.thickness && e.thickness->unit == "none" ? kThicknessUnitless : 0));
    r.first_vector = uint32_t(v);
    r.vector_count = uint32_t(e.vectors.size() / kDimension);
    if (r.vector_count > 0) {
      Display d = display_of(std::span(e.vectors).first(kDimension));
      for (int k = 0; k < 3; ++k)
        for (int j = 0; j < 2; ++j) {
          r.display_colour[k][j] = int8_t(std::lround(std::clamp(d.colour[k][j], -128.f, 127.f)));
          r.display_pattern[k][j] = byte_of(d.pattern[k][j]);
        }
    }
    for (size_t off = 0; off < e.vectors.size(); off += kDimension, ++v) {
      const float* x = e.vectors.data() + off;
      VectorBlock& b = blocks[v / kLanes];
      size_t lane = v % kLanes;
      for (size_t k = 0; k < kColours; ++k) {
        b.colour[k][lane] = palette.code(v * kColours + k);
        b.share[k][lane] = byte_of(x[kColourOffset + k * kColourStride + 3]);
      }
      for (size_t j = 0; j < kLevels * kLbpBins; ++j) b.lbp[j][lane] = sqrt_byte(x[kLbpOffset + j]);
      for (size_t j = 0; j < kOrientBins; ++j) b.orient[j][lane] = sqrt_byte(x[kOrientOffset + j]);
      for (size_t j = 0; j < kLevels; ++j) b.spectrum[j][lane] = sqrt_byte(x[kSpectrumOffset + j]);
    }
  }

  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format_version = kFormatVersion;
  h.dimension = uint32_t(kDimension);
  h.product_count = uint32_t(records.size());
  h.vector_count = uint32_t(vector_count);
  h.terms_offset = sizeof(Header) + records.size() * sizeof(ProductRecord);
  h.term_count = uint32_t(terms.size());
  h.strings_offset = h.terms_offset + terms.size() * sizeof(StringRef);
  h.strings_size = strings.bytes().size();
  h.palette_offset = (h.strings_offset + h.strings_size + 63) / 64 * 64;
  h.palette_count = uint32_t(palette.entries().size());
  h.vectors_offset = (h.palette_offset + h.palette_count * sizeof(PaletteEntry) + 63) / 64 * 64;
  h.block_size = sizeof(VectorBlock);
  h.file_size = h.vectors_offset + blocks.size() * sizeof(VectorBlock);
  h.max_id_length = uint32_t(max_id);
  std::memcpy(h.fingerprint, fingerprint.data(), 16);
  std::memcpy(h.model_version, model_version.data(), model_version.size());

  if (file.has_parent_path()) fs::create_directories(file.parent_path());
  fs::path tmp = file;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp.string());
  try {
    write_all(fd, &h, sizeof h, tmp);
    write_all(fd, records.data(), records.size() * sizeof(ProductRecord), tmp);
    write_all(fd, terms.data(), terms.size() * sizeof(StringRef), tmp);
    write_all(fd, strings.bytes().data(), strings.bytes().size(), tmp);
    std::string pad(h.palette_offset - h.strings_offset - h.strings_size, '\0');
    write_all(fd, pad.data(), pad.size(), tmp);
    write_all(fd, palette.entries().data(), palette.entries().size() * sizeof(PaletteEntry), tmp);
    pad.assign(h.vectors_offset - h.palette_offset - h.palette_count * sizeof(PaletteEntry), '\0');
    write_all(fd, pad.data(), pad.size(), tmp);
    write_all(fd, blocks.data(), blocks.size() * sizeof(VectorBlock), tmp);
    if (::fsync(fd) != 0) throw std::runtime_error("cannot sync " + tmp.string());
  } catch (...) {
    ::close(fd);
    fs::remove(tmp);
    throw;
  }
  ::close(fd);
  fs::rename(tmp, file);
  return {records.size(), vector_count, palette.entries().size()};
}

}  // namespace k9::catalog::snapshot
