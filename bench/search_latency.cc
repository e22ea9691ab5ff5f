// Search latency (issue 7): run_search over a 1,000,000-row synthetic similarity matrix and
// catalog (about 20 brands, realistic category values, log-normal prices, score
// distributions with missing values), typical filtered queries and an unfiltered one, p50 /
// p99 over a few hundred queries on one thread; beside the peer of a plain filter + full
// std::sort over the same rows. Then the 1M-row matrix as .npz: encode, decode, size, and
// numpy.load of the same file when python3 has numpy.
//
//   build/bench/k9_bench_search_latency [--rows N] [--queries Q]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/json.h"
#include "search/filter_index.h"
#include "search/npz.h"
#include "search/query.h"
#include "search/search.h"

using namespace k9::search;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

struct Stats {
  double p50, p99, max;
};
Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, size_t(q * double(v.size())))]; };
  return {at(0.50), at(0.99), v.back()};
}

template <class T>
const T& pick(std::mt19937& rng, const std::vector<T>& v, const std::vector<double>& weights) {
  std::discrete_distribution<size_t> d(weights.begin(), weights.end());
  return v[d(rng)];
}

float clamp01(float x) { return std::min(1.0f, std::max(0.0f, x)); }

const std::vector<std::string> kTypes = {"Tile", "Plank", "Slab", "Mosaic", "Panel"};
const std::vector<std::string> kMaterials = {"Porcelain", "Ceramic", "Oak",   "Marble",    "Granite",
                                             "Quartz",    "Vinyl",   "Glass", "Limestone", "Travertine"};
const std::vector<std::string> kLooks = {"Wood", "Stone", "Concrete", "Marble", "Solid", "Terrazzo", ""};
const std::vector<std::string> kTextures = {"Smooth", "Textured", "Structured", ""};
const std::vector<std::string> kFinishes = {"Matte", "Polished", "Satin", "Honed", "Lappato", ""};
const std::vector<std::string> kEdges = {"Rectified", "Pressed", "Bevelled", ""};

struct Catalog {
  ScoreMatrix m;
  FilterIndex index;
  std::vector<std::string> brands;
};

Catalog synthesise(size_t n, std::mt19937& rng) {
  Catalog c;
  for (int i = 0; i < 20; ++i) c.brands.push_back("Brand " + std::string(1, char('A' + i)) + "ero");
  std::vector<double> brand_w;
  for (int i = 0; i < 20; ++i) brand_w.push_back(1.0 / (1 + i));  // a few large brands, a long tail
  std::normal_distribution<float> colour(0.55f, 0.18f), pattern(0.5f, 0.2f);
  std::uniform_real_distribution<float> u(0, 1);
  std::lognormal_distribution<float> price(3.0f, 0.8f);  // median ~ $20
  auto& m = c.m;
  m.model_version = "k9-classic-1";
  m.reference_product_id = "ref-0001";
  m.id_width = 12;
  m.ids.resize(n * m.id_width);
  for (auto& col : m.columns) col.resize(n);
  FilterIndex::Builder b(n);
  const float nan = std::nanf("");
  for (size_t i = 0; i < n; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "prod-%07zu", i);  // 12 characters: the full width, no padding
    std::memcpy(&m.ids[i * m.id_width], id, m.id_width);
    auto& type = pick(rng, kTypes, {50, 25, 10, 10, 5});
    auto& material = pick(rng, kMaterials, {35, 20, 10, 8, 6, 6, 8, 3, 2, 2});
    auto& look = pick(rng, kLooks, {25, 30, 15, 10, 10, 3, 7});
    auto& texture = pick(rng, kTextures, {50, 30, 10, 10});
    auto& finish = pick(rng, kFinishes, {45, 20, 15, 10, 5, 5});
    auto& edge = pick(rng, kEdges, {55, 30, 10, 5});
    float pmin = nan, pmax = nan;
    if (u(rng) > 0.03f) {
      pmin = std::round(price(rng) * 100) / 100;
      pmax = std::round(pmin * (1 + 0.5f * u(rng)) * 100) / 100;
    }
    b.add(pick(rng, c.brands, brand_w), {type, material, look, texture, finish, edge}, pmin, pmax);

    float s[kScoreCount];
    s[size_t(Score::type_type)] = type == "Tile" ? 1.0f : (type == "Plank" ? 0.5f : 0.0f);
    s[size_t(Score::type_material)] = material == "Porcelain" ? 1.0f : (material == "Ceramic" ? 0.7f : 0.1f);
    s[size_t(Score::shape_length)] = u(rng);
    s[size_t(Score::shape_width)] = u(rng);
    s[size_t(Score::shape_thickness)] = u(rng) < 0.15f ? nan : u(rng);
    s[size_t(Score::color_primary)] = clamp01(colour(rng));
    s[size_t(Score::color_secondary)] = clamp01(colour(rng) - 0.05f);
    s[size_t(Score::color_tertiary)] = u(rng) < 0.10f ? nan : clamp01(colour(rng) - 0.1f);
    s[size_t(Score::pattern_primary)] = clamp01(pattern(rng));
    s[size_t(Score::pattern_secondary)] = clamp01(pattern(rng));
    s[size_t(Score::pattern_tertiary)] = u(rng) < 0.10f ? nan : clamp01(pattern(rng));
    float sum = 0, wsum = 0;
    for (size_t k = 1; k < kScoreCount; ++k)
      if (!std::isnan(s[k])) {
        float w = k >= size_t(Score::color_primary) ? 2.0f : 1.0f;
        sum += w * s[k];
        wsum += w;
      }
    s[size_t(Score::match)] = sum / wsum;
    for (size_t k = 0; k < kScoreCount; ++k) m.columns[k][i] = s[k];
  }
  c.index = std::move(b).build();
  return c;
}

// The peer: every row checked against every filter, then the survivors fully sorted.
size_t full_sort(const Catalog& c, const SearchQuery& q, std::vector<uint32_t>& out) {
  const size_t n = c.m.size();
  std::vector<uint32_t> pass;
  auto accepts = [](const std::vector<std::string>& want, const std::vector<std::string>& values, uint32_t code) {
    return want.empty() || (code && std::find(want.begin(), want.end(), values[code]) != want.end());
  };
  for (uint32_t r = 0; r < n; ++r) {
    bool ok = true;
    for (size_t f = 0; f < kCategoryFieldCount && ok; ++f)
      ok = accepts(q.category[f], c.index.category_values(CategoryField(f)), c.index.category_codes(CategoryField(f))[r]);
    ok = ok && accepts(q.brands, c.index.brand_values(), c.index.brand_codes()[r]);
    if (ok && (q.price_min || q.price_max))
      ok = c.index.price_max()[r] >= float(q.price_min.value_or(0)) && c.index.price_min()[r] <= float(q.price_max.value_or(1e30));
    for (size_t s = 0; s < kScoreCount && ok; ++s)
      if (q.min_score[s]) ok = c.m.columns[s][r] >= *q.min_score[s];
    if (ok) pass.push_back(r);
  }
  const float* match = c.m.column(Score::match).data();
  std::sort(pass.begin(), pass.end(), [&](uint32_t a, uint32_t b) {
    return match[a] != match[b] ? match[a] > match[b] : a < b;
  });
  size_t off = size_t(q.page - 1) * size_t(q.limit);
  out.assign(pass.begin() + ptrdiff_t(std::min(off, pass.size())),
             pass.begin() + ptrdiff_t(std::min(pass.size(), off + size_t(q.limit))));
  return pass.size();
}

std::string python_with_numpy() {
  for (const char* py : {"python3", "/usr/bin/python3"})
    if (std::system((std::string(py) + " -c 'import numpy' >/dev/null 2>&1").c_str()) == 0) return py;
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  size_t rows = 1'000'000;
  int queries = 300;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rows")) rows = std::stoul(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--queries")) queries = std::stoi(argv[i + 1]);
  }
  std::ifstream la("/proc/loadavg");
  std::string load;
  std::getline(la, load);
  std::printf("rows %zu, queries %d per kind, load average %s\n", rows, queries, load.c_str());

  std::mt19937 rng(2024);
  auto t0 = Clock::now();
  auto cat = synthesise(rows, rng);
  std::printf("synthesised in %.0f ms; matrix %.1f MiB, filter index %.1f MiB\n", ms_since(t0),
              double(cat.m.bytes()) / 1048576, double(cat.index.bytes()) / 1048576);

  std::uniform_real_distribution<float> u(0, 1);
  auto num = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f", v);
    return std::string(b);
  };
  struct Kind {
    const char* name;
    std::function<std::string()> body;
  };
  auto typical = [&](int page) {
    return [&, page] {
      std::string type = kTypes[rng() % 3], material = kMaterials[rng() % 4];
      double lo = 5 + 20 * u(rng), hi = lo + 10 + 60 * u(rng);
      return R"({"filters": {"category": {"type": ")" + type + R"(", "material": ")" + material +
             R"("}, "priceRange": {"min": )" + num(lo) + R"(, "max": )" + num(hi) +
             R"(}, "color": {"primary": )" + num(0.3 + 0.3 * u(rng)) + R"(}, "similarity": {"threshold": )" +
             num(0.3 + 0.2 * u(rng)) + R"(}}, "sort": "similarity", "page": )" + std::to_string(page) +
             R"(, "limit": 20})";
    };
  };
  std::vector<Kind> kinds = {
      {"typical filters, page 1", typical(1)},
      {"typical filters, page 5", typical(5)},
      {"no filters, page 1", [] { return std::string(R"({"page": 1, "limit": 20})"); }},
      {"no filters, page 5", [] { return std::string(R"({"page": 5, "limit": 20})"); }},
      {"brand + colour, sort price", [&] {
         return R"({"filters": {"brand": [")" + cat.brands[rng() % 20] + R"(", ")" + cat.brands[rng() % 20] +
                R"("], "color": {"primary": )" + num(0.4 * u(rng)) + R"(}}, "sort": "price", "page": 2, "limit": 50})";
       }},
  };

  std::printf("\n| query | survivors (median) | p50 ms | p99 ms | max ms | full-sort peer p50 ms | peer / K9 |\n|---|---|---|---|---|---|---|\n");
  std::vector<Stats> all;
  for (auto& k : kinds) {
    std::vector<double> lat, peer;
    std::vector<size_t> totals;
    std::vector<uint32_t> peer_rows;
    for (int i = 0; i < queries; ++i) {
      auto body = k.body();
      auto t = Clock::now();
      auto q = decode_search_query(k9::parse_json_object(body));
      auto page = run_search(cat.m, cat.index, q);
      lat.push_back(ms_since(t));
      totals.push_back(page.total);
      if (i < 20 && k.name[0] != 'b') {  // the peer sorts by similarity only
        auto tp = Clock::now();
        size_t total = full_sort(cat, q, peer_rows);
        peer.push_back(ms_since(tp));
        if (total != page.total || peer_rows != page.rows) {
          std::fprintf(stderr, "MISMATCH with the peer on %s\n", body.c_str());
          return 1;
        }
      }
    }
    std::sort(totals.begin(), totals.end());
    auto s = stats(lat);
    if (peer.empty()) {
      std::printf("| %s | %zu | %.2f | %.2f | %.2f | - | - |\n", k.name, totals[totals.size() / 2], s.p50, s.p99, s.max);
    } else {
      auto p = stats(peer);
      std::printf("| %s | %zu | %.2f | %.2f | %.2f | %.1f | %.0fx |\n", k.name, totals[totals.size() / 2], s.p50,
                  s.p99, s.max, p.p50, p.p50 / s.p50);
    }
    std::fflush(stdout);
  }

  // ---- the matrix as .npz ----
  std::vector<double> enc, dec;
  std::string bytes;
  for (int i = 0; i < 5; ++i) {
    auto t = Clock::now();
    bytes = encode_npz(cat.m);
    enc.push_back(ms_since(t));
    t = Clock::now();
    auto back = decode_npz(bytes);
    dec.push_back(ms_since(t));
    if (back.ids != cat.m.ids || std::memcmp(back.columns[5].data(), cat.m.columns[5].data(), rows * 4) != 0) {
      std::fprintf(stderr, "npz round trip differs\n");
      return 1;
    }
  }
  auto e = stats(enc), d = stats(dec);
  std::printf("\nnpz of %zu rows: %.1f MiB; encode median %.0f ms, decode median %.0f ms (5 runs; decode checks "
              "CRCs, dtypes, shapes and id order)\n",
              rows, double(bytes.size()) / 1048576, e.p50, d.p50);
  auto py = python_with_numpy();
  if (!py.empty()) {
    std::string path = "/tmp/k9-bench-search-" + std::to_string(::getpid()) + ".npz";
    std::ofstream(path, std::ios::binary) << bytes;
    std::string cmd = py + " -c \"import numpy as np, time\nbest = 1e9\nfor _ in range(5):\n  t = time.perf_counter()\n"
                           "  z = np.load('" + path + "')\n  a = {k: z[k] for k in z.files}\n"
                           "  best = min(best, time.perf_counter() - t)\nprint('%.0f' % (best * 1000))\"";
    FILE* p = ::popen(cmd.c_str(), "r");
    char buf[64] = {0};
    if (p && std::fgets(buf, sizeof buf, p)) std::printf("peer: numpy.load of the same file, every array read: %s ms (best of 5)\n", strtok(buf, "\n"));
    if (p) ::pclose(p);
    std::remove(path.c_str());
  }
  return 0;
}
