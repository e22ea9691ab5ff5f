// Writes a catalog snapshot of N synthetic products for benchmarks that need a big catalog
// without importing one: demo-catalog photos through the real extractor give the base
// vectors, each product takes one base with its colours moved and its histograms reweighted
// (so the palette fills as a real catalog's would), ids p00000000.., attributes of the base's
// demo product. Also writes one demo photo (a product's unseen shot) to use as a reference.
// Usage: k9_bench_synthetic_snapshot --count N --out FILE.k9snap [--photo FILE.jpg] [--model VERSION]
// (--model: the extractor that gives the base vectors; default k9-classic-2, the default of new analyses)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "catalog/demo/demo_catalog.h"
#include "catalog/snapshot/writer.h"
#include "codec/codec.h"
#include "core/domain.h"
#include "vision/extractors.h"
#include "vision/features.h"

using namespace k9;

int main(int argc, char** argv) {
  size_t count = 100000;
  std::string out, photo, model = kNewAnalysisModelVersion;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--count") count = std::stoul(argv[i + 1]);
    else if (a == "--out") out = argv[i + 1];
    else if (a == "--photo") photo = argv[i + 1];
    else if (a == "--model") model = argv[i + 1];
  }
  if (out.empty()) {
    std::fprintf(stderr, "usage: %s --count N --out FILE.k9snap [--photo FILE.jpg]\n", argv[0]);
    return 2;
  }
  auto o = catalog::demo::DemoOptions::small(48, 3);
  catalog::demo::DemoCatalog demo(o);
  auto extractor = vision::make_extractor(model);
  std::vector<std::vector<float>> bases;
  for (size_t i = 0; i < demo.size(); ++i)
    bases.push_back(extractor->extract({codec::encode_jpeg(demo.photo(i, 0), 90)}).vector);
  if (!photo.empty()) {
    o.photo_size = {1024, 768};
    catalog::demo::DemoCatalog big(o);
    std::ofstream(photo, std::ios::binary) << codec::encode_jpeg(big.photo(5, 77), 90);
  }

  std::mt19937 rng(7);
  std::normal_distribution<float> shift(0, 5), weight(0, 0.2f);
  std::vector<catalog::snapshot::Entry> entries(count);
  for (size_t i = 0; i < count; ++i) {
    size_t b = rng() % bases.size();
    std::vector<float> v = bases[b];
    for (size_t c = 0; c < vision::kColours; ++c) {
      float* lab = v.data() + vision::kColourOffset + c * vision::kColourStride;
      lab[0] = std::clamp(lab[0] + shift(rng), 0.f, 100.f), lab[1] += shift(rng), lab[2] += shift(rng);
    }
    for (size_t at = vision::kLbpOffset; at < vision::kDimension;) {  // each histogram, reweighted, sums to 1
      size_t n = at < vision::kOrientOffset ? vision::kLbpBins : at < vision::kSpectrumOffset ? vision::kOrientBins
                                                                                             : vision::kLevels;
      float sum = 0;
      for (size_t k = at; k < at + n; ++k) sum += v[k] *= std::exp(weight(rng));
      for (size_t k = at; k < at + n; ++k) v[k] /= sum;
      at += n;
    }
    auto& e = entries[i] = catalog::snapshot::Entry::of(demo.product(b), std::move(v));
    char id[16];
    std::snprintf(id, sizeof id, "p%08zu", i);
    e.id = id;
  }
  auto w = catalog::snapshot::write_snapshot(out, model, {}, entries);  // the version its vectors are of
  std::printf("%s: %zu products, %zu vectors, palette %zu\n", out.c_str(), w.products, w.vectors, w.palette);
}
