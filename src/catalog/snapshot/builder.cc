#include "catalog/snapshot/builder.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <stdexcept>
#include <vector>

#include "catalog/snapshot/snapshot.h"

namespace k9::catalog::snapshot {

namespace fs = std::filesystem;

namespace {

constexpr float kAbsent = std::numeric_limits<float>::quiet_NaN();

struct Fingerprint {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), EVP_MD_CTX_free};
  Fingerprint() { EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr); }
  void add(const std::string& s) { EVP_DigestUpdate(ctx.get(), s.data(), s.size() + 1); }  // with the NUL
  void finish(uint8_t out[16]) {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx.get(), d, &n);
    std::memcpy(out, d, 16);
  }
};

void add_fingerprint(Fingerprint& f, const repo::Embedding& e) {
  f.add(e.product_id), f.add(e.source_hash), f.add(e.created_at);
}

float to_float(const std::optional<Dimension>& d, double factor = 1) {
  if (!d) return kAbsent;
  double v = std::strtod(d->val.text.c_str(), nullptr);
  return float(d->unit == "in" ? v * 25.4 : v * factor);
}

class StringBlob {
 public:
  StringRef add(const std::optional<std::string>& s) {
    if (!s) return {};
    StringRef r{uint32_t(blob_.size()), uint32_t(s->size())};
    blob_ += *s;
    return r;
  }
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

bool fingerprint_matches(const fs::path& file, const uint8_t fingerprint[16], const std::string& version) {
  try {
    auto s = Snapshot::open(file);
    return std::memcmp(s.header().fingerprint, fingerprint, 16) == 0 && s.model_version() == version;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

fs::path snapshot_path(const fs::path& data, const std::string& model_version) {
  return data / "snapshots" / (model_version + ".k9snap");
}

BuildResult build_snapshot(repo::ProductRepository& products, repo::EmbeddingRepository& embeddings,
                           const std::string& model_version, const fs::path& file) {
  if (model_version.size() >= sizeof(Header::model_version)) throw std::invalid_argument("model version too long");
  std::vector<ProductRecord> records;
  std::vector<float> vectors;
  StringBlob strings;
  Fingerprint fingerprint;
  uint32_t dimension = 0;
  embeddings.for_each(model_version, [&](const repo::Embedding& e) {
    add_fingerprint(fingerprint, e);
    auto p = products.get(e.product_id);
    if (!p) return;  // a report's reference product, or an embedding without its product
    if (dimension == 0) dimension = uint32_t(e.dimension);
    if (e.dimension != dimension) throw std::runtime_error("embeddings of " + model_version + " differ in dimension");
    const Product& product = p->product;
    ProductRecord r{};
    r.id = strings.add(product.id);
    r.brand = strings.add(product.brand);
    r.type = strings.add(product.category.type), r.material = strings.add(product.category.material);
    r.look = strings.add(product.category.look), r.texture = strings.add(product.category.texture);
    r.finish = strings.add(product.category.finish), r.edge = strings.add(product.category.edge);
    r.first_vector = uint32_t(vectors.size() / dimension);
    r.vector_count = uint32_t(e.count());
    r.price_min = r.price_max = kAbsent;
    for (auto& f : product.formats)
      for (auto& v : f.vendors) {
        float price = to_float(v.price);
        if (std::isnan(price)) continue;
        if (std::isnan(r.price_min) || price < r.price_min) r.price_min = price;
        if (std::isnan(r.price_max) || price > r.price_max) r.price_max = price;
      }
    const Format* first = product.formats.empty() ? nullptr : &product.formats[0];
    r.length_mm = first ? to_float(first->length) : kAbsent;
    r.width_mm = first ? to_float(first->width) : kAbsent;
    r.thickness_mm = first ? to_float(first->thickness) : kAbsent;
    vectors.insert(vectors.end(), e.vectors.begin(), e.vectors.end());
    records.push_back(r);
  });

  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format_version = kFormatVersion;
  h.dimension = dimension;
  h.product_count = uint32_t(records.size());
  h.vector_count = dimension ? uint32_t(vectors.size() / dimension) : 0;
  h.strings_offset = sizeof(Header) + records.size() * sizeof(ProductRecord);
  h.strings_size = strings.bytes().size();
  h.vectors_offset = (h.strings_offset + h.strings_size + 63) / 64 * 64;
  h.file_size = h.vectors_offset + vectors.size() * sizeof(float);
  fingerprint.finish(h.fingerprint);
  std::memcpy(h.model_version, model_version.data(), model_version.size());

  fs::create_directories(file.parent_path());
  fs::path tmp = file;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp.string());
  try {
    write_all(fd, &h, sizeof h, tmp);
    write_all(fd, records.data(), records.size() * sizeof(ProductRecord), tmp);
    write_all(fd, strings.bytes().data(), strings.bytes().size(), tmp);
    std::string pad(h.vectors_offset - h.strings_offset - h.strings_size, '\0');
    write_all(fd, pad.data(), pad.size(), tmp);
    write_all(fd, vectors.data(), vectors.size() * sizeof(float), tmp);
    if (::fsync(fd) != 0) throw std::runtime_error("cannot sync " + tmp.string());
  } catch (...) {
    ::close(fd);
    fs::remove(tmp);
    throw;
  }
  ::close(fd);
  fs::rename(tmp, file);
  return {records.size(), size_t(h.vector_count), true};
}

BuildResult ensure_snapshot(repo::ProductRepository& products, repo::EmbeddingRepository& embeddings,
                            const std::string& model_version, const fs::path& file) {
  Fingerprint fingerprint;
  size_t count = 0;
  embeddings.for_each(model_version, [&](const repo::Embedding& e) { add_fingerprint(fingerprint, e), ++count; });
  uint8_t now[16];
  fingerprint.finish(now);
  if (fingerprint_matches(file, now, model_version)) {
    auto s = Snapshot::open(file);
    return {s.size(), s.header().vector_count, false};
  }
  return build_snapshot(products, embeddings, model_version, file);
}

}  // namespace k9::catalog::snapshot
