#include "catalog/snapshot/builder.h"

#include <openssl/evp.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "catalog/snapshot/snapshot.h"
#include "catalog/snapshot/writer.h"
#include "vision/features.h"

namespace k9::catalog::snapshot {

namespace fs = std::filesystem;

namespace {

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
  std::vector<Entry> entries;
  Fingerprint fingerprint;
  embeddings.for_each(model_version, [&](const repo::Embedding& e) {
    if (!e.owner.empty()) return;  // a report's reference product: not the catalog
    add_fingerprint(fingerprint, e);
    auto p = products.get(e.product_id);
    if (!p) return;  // a report's reference product, or an embedding without its product
    if (e.dimension != vision::kDimension)
      throw std::runtime_error("catalog snapshot: " + model_version + " has vectors of " + std::to_string(e.dimension) +
                               " floats; the snapshot quantises k9-classic-1 vectors of " +
                               std::to_string(vision::kDimension));
    entries.push_back(Entry::of(p->product, e.vectors));
  });
  std::array<uint8_t, 16> fp{};
  fingerprint.finish(fp.data());
  auto r = write_snapshot(file, model_version, fp, entries);
  return {r.products, r.vectors, true};
}

BuildResult ensure_snapshot(repo::ProductRepository& products, repo::EmbeddingRepository& embeddings,
                            const std::string& model_version, const fs::path& file) {
  Fingerprint fingerprint;
  size_t count = 0;
  embeddings.for_each(model_version, [&](const repo::Embedding& e) {
    if (e.owner.empty()) add_fingerprint(fingerprint, e), ++count;
  });
  uint8_t now[16];
  fingerprint.finish(now);
  if (fingerprint_matches(file, now, model_version)) {
    auto s = Snapshot::open(file);
    return {s.size(), s.header().vector_count, false};
  }
  return build_snapshot(products, embeddings, model_version, file);
}

}  // namespace k9::catalog::snapshot
