// Scoring (issue 7): K9's score_catalog over a v2 catalog snapshot against FAISS IndexFlatIP
// (nq = 1, k = 100) on the same float vectors, both warm, in the same run; and the snapshot's
// bytes against its float vectors' bytes.
//
//   build/bench/k9_bench_scoring_vs_faiss [--sizes 100000,1000000] [--runs 9] [--dir /tmp] [--model VERSION]
//
// Vectors are synthetic but realistic: vectors of demo-catalog photos by --model's extractor
// (default k9-classic-2, the default of new analyses)
// (src/catalog/demo), each product a perturbation of one of them (colours moved in CIELAB,
// histograms jittered and renormalised), one photo per product.
#include <faiss/IndexFlat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "catalog/demo/demo_catalog.h"
#include "catalog/snapshot/snapshot.h"
#include "catalog/snapshot/writer.h"
#include "codec/codec.h"
#include "search/scorer.h"
#include "vision/extractors.h"
#include "vision/features.h"

namespace fs = std::filesystem;
using namespace k9;
using namespace k9::vision;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<float> perturb(const std::vector<float>& base, std::mt19937& rng) {
  std::vector<float> v = base;
  std::normal_distribution<float> lab(0, 6), jitter(0, 0.25f);
  for (size_t i = 0; i < kColours; ++i) {
    float* c = v.data() + kColourOffset + i * kColourStride;
    c[0] = std::clamp(c[0] + lab(rng), 0.f, 100.f), c[1] += lab(rng), c[2] += lab(rng);
  }
  auto renormalise = [&](size_t off, size_t n) {
    float sum = 0;
    for (size_t i = 0; i < n; ++i) sum += v[off + i] *= std::exp(jitter(rng));
    for (size_t i = 0; i < n; ++i) v[off + i] /= sum;
  };
  for (size_t l = 0; l < kLevels; ++l) renormalise(kLbpOffset + l * kLbpBins, kLbpBins);
  renormalise(kOrientOffset, kOrientBins);
  renormalise(kSpectrumOffset, kLevels);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<size_t> sizes{100000, 1000000};
  int runs = 9;
  fs::path dir = fs::temp_directory_path();
  std::string model = kNewAnalysisModelVersion;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--runs") runs = std::stoi(argv[i + 1]);
    else if (a == "--model") model = argv[i + 1];
    else if (a == "--dir") dir = argv[i + 1];
    else if (a == "--sizes") {
      sizes.clear();
      for (std::string s = argv[i + 1]; !s.empty();) {
        size_t c = s.find(',');
        sizes.push_back(std::stoul(s.substr(0, c)));
        s = c == std::string::npos ? "" : s.substr(c + 1);
      }
    }
  }

  // Base vectors: demo photos through the real extractor.
  catalog::demo::DemoCatalog demo(catalog::demo::DemoOptions::small(96, 3));
  auto extractor_ptr = vision::make_extractor(model);
  auto& extractor = *extractor_ptr;
  std::vector<std::vector<float>> bases;
  std::vector<Product> products;
  for (size_t i = 0; i < demo.size(); ++i) {
    cv::Mat sheet = demo.sheet(i);
    for (uint64_t shot : {0, 1})
      bases.push_back(extractor.extract({codec::encode_jpeg(demo.photo(sheet, i, shot), 90)}).vector);
    products.push_back(demo.product(i));
  }
  std::vector<float> query = extractor.extract({codec::encode_jpeg(demo.photo(demo.sheet(7), 7, 1000), 90)}).vector;
  search::Reference ref{"reference", query, products[7].category, products[7].formats};

  unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  std::printf("model: %s; threads: %u; runs: %d (median)\n", model.c_str(), hw, runs);
  for (size_t n : sizes) {
    std::mt19937 rng(42);
    std::vector<catalog::snapshot::Entry> entries(n);
    std::vector<float> flat(n * kDimension);
    for (size_t i = 0; i < n; ++i) {
      size_t b = rng() % bases.size();
      char id[16];
      std::snprintf(id, sizeof id, "p%08zu", i);
      auto& e = entries[i];
      e = catalog::snapshot::Entry::of(products[b / 2], perturb(bases[b], rng));
      e.id = id;
      std::memcpy(flat.data() + i * kDimension, e.vectors.data(), kDimension * sizeof(float));
    }
    fs::path file = dir / ("k9-bench-scoring-" + std::to_string(n) + ".k9snap");
    auto t = Clock::now();
    auto w = catalog::snapshot::write_snapshot(file, kClassicModelVersion, {}, entries);
    double write_ms = ms_since(t);
    entries = {};
    auto snap = catalog::snapshot::Snapshot::open(file);

    faiss::IndexFlatIP index{faiss::Index::idx_t(kDimension)};
    index.add(faiss::Index::idx_t(n), flat.data());
    std::vector<float> distances(100);
    std::vector<faiss::Index::idx_t> labels(100);
    auto faiss_once = [&] {
      auto t0 = Clock::now();
      index.search(1, query.data(), 100, distances.data(), labels.data());
      return ms_since(t0);
    };
    search::Reference no_photos = ref;
    no_photos.vectors.clear();
    auto k9_once = [&](unsigned threads, const search::Reference& r = {}) {
      auto t0 = Clock::now();
      auto m = search::score_catalog(snap, r.product_id.empty() ? ref : r, threads);
      double ms = ms_since(t0);
      if (m.size() != n) std::abort();
      return ms;
    };
    faiss_once(), k9_once(0), k9_once(1);  // warm: pages mapped, caches filled
    std::vector<double> f, k, k1, k0;
    for (int r = 0; r < runs; ++r)
      f.push_back(faiss_once()), k.push_back(k9_once(0)), k1.push_back(k9_once(1)), k0.push_back(k9_once(1, no_photos));
    double float_bytes = double(n) * kDimension * sizeof(float);
    std::printf(
        "n=%zu: FAISS IndexFlatIP %.2f ms | K9 score_catalog %.2f ms (%u threads), %.2f ms (1 thread) | "
        "without photos (matrix, ids, type, shape: 1 thread) %.2f ms | K9/FAISS %.2f | snapshot %.1f MB = %.3f x float vectors (%.1f MB), palette %zu, written in %.0f ms\n",
        n, median(f), median(k), hw, median(k1), median(k0), median(k) / median(f), double(snap.file_size()) / 1e6,
        double(snap.file_size()) / float_bytes, float_bytes / 1e6, w.palette, write_ms);
    std::fflush(stdout);
    fs::remove(file);
  }
}
