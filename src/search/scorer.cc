// The scorer's chunk driver (scorer.h): the reference side prepared once (scorer_reference.h),
// the colour look-up table and the output columns set up by all threads, then chunks of 2048
// products claimed by the threads: each chunk's blocks through the kernel (scorer_kernel.h),
// its non-visual columns and match computed in cache and streamed out.
#include "search/scorer.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <thread>

#include "search/scorer_kernel.h"
#include "search/scorer_reference.h"

namespace k9::search {

namespace {

using namespace k9::vision;
using namespace scoring;
namespace snap = catalog::snapshot;
using snap::kLanes;
constexpr size_t kChunk = 2048;  // products scored together (their blocks' scores stay in cache)

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

inline float dimension_score(const ReferenceDimension& r, float product, bool unitless) {
  const bool ok =
      (r.mm > 0) & (product > 0) & (product < std::numeric_limits<float>::infinity()) & (r.unitless == unitless);
  const float v = std::min(r.mm, product) / std::max(r.mm, product);
  return ok ? v : kNaN;
}

// sum += w * x and weight += w where x is present (not NaN).
[[gnu::always_inline]] inline void add_present(const float* __restrict x, float w, float* __restrict sum,
                                               float* __restrict weight, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const bool present = x[i] == x[i];
    sum[i] += present ? w * x[i] : 0.f;
    weight[i] += present ? w : 0.f;
  }
}

// Copies n floats with non-temporal stores where the CPU has AVX2 (the destination's unaligned
// ends with ordinary ones); stream_fence() orders them before the thread's work is joined.
#ifdef K9_SCORER_SIMD
__attribute__((target("arch=x86-64-v3"))) void stream_avx2(float* dst, const float* src, size_t n) {
  size_t i = 0;
  for (; i < n && reinterpret_cast<uintptr_t>(dst + i) % 32 != 0; ++i) dst[i] = src[i];
  for (; i + 8 <= n; i += 8) _mm256_stream_ps(dst + i, _mm256_loadu_ps(src + i));
  for (; i < n; ++i) dst[i] = src[i];
}
#endif
void stream(float* dst, const float* src, size_t n) {
#ifdef K9_SCORER_SIMD
  static const bool avx2 = (__builtin_cpu_init(), __builtin_cpu_supports("avx2"));
  if (avx2) return stream_avx2(dst, src, n);
#endif
  std::memcpy(dst, src, n * sizeof(float));
}
void stream_fence() { _mm_sfence(); }

// One chunk's 12 columns (out: [score][kChunk]) but the visual scores' kernel: type, material
// and shape from the snapshot's scoring columns, each product's best vector, match. Simple
// loops, compiled for AVX-512, AVX2 and baseline x86-64 (GCC vectorises them).
struct ChunkJob {
  const snap::Snapshot::ScoringColumns& sc;
  size_t c0, c1;
  uint32_t ref_type, ref_material;
  const ReferenceDimension* ref_dims;
  bool visual;
  const LaneScores* best;  // blocks b0.. of the chunk, when visual
  size_t b0;
  int32_t* best_at;  // per product: float offset of its best vector's lane in `best`, -1 none
  float *sum, *weight, *out;
};
inline float* out_of(const ChunkJob& j, Score s) { return j.out + size_t(s) * kChunk; }

K9_CLONES void chunk_columns(const ChunkJob& j) {
  const auto& sc = j.sc;
  const size_t c0 = j.c0, c1 = j.c1, b0 = j.b0, len = c1 - c0;
  const uint32_t ref_type = j.ref_type, ref_material = j.ref_material;
  const ReferenceDimension* ref_dims = j.ref_dims;
  const bool visual = j.visual;
  const LaneScores* best = j.best;
  // Type, material and shape, from the snapshot's scoring columns (loops GCC vectorises).
  {
    float* type = out_of(j, Score::type_type) - c0;
    float* material = out_of(j, Score::type_material) - c0;
    for (size_t i = c0; i < c1; ++i) {
      const uint32_t t = sc.type_term[i], u = sc.material_term[i];
      type[i] = ref_type && t ? float(ref_type == t) : kNaN;
      material[i] = ref_material && u ? float(ref_material == u) : kNaN;
    }
    const std::vector<float>* dims[3] = {&sc.length_mm, &sc.width_mm, &sc.thickness_mm};
    static constexpr Score kShape[3] = {Score::shape_length, Score::shape_width, Score::shape_thickness};
    static constexpr uint8_t kUnitless[3] = {snap::kLengthUnitless, snap::kWidthUnitless, snap::kThicknessUnitless};
    for (size_t d = 0; d < 3; ++d) {
      float* out = out_of(j, kShape[d]) - c0;
      const float* mm = dims[d]->data();
      const ReferenceDimension rd = ref_dims[d];
      const uint8_t bit = kUnitless[d];
      for (size_t i = c0; i < c1; ++i) out[i] = dimension_score(rd, mm[i], (sc.unitless[i] & bit) != 0);
    }
  }
  // The best vector of each product (by visual match over the reference photos' best).
  constexpr size_t kBlockFloats = sizeof(LaneScores) / sizeof(float);
  for (size_t i = c0; i < c1; ++i) {
    const size_t f = sc.first_vector[i], e = sc.first_vector[i + 1];
    int32_t at = -1;
    if (visual && e > f) {
      size_t best_v = f;
      float best_visual = best[f / kLanes - b0].visual[f % kLanes];
      for (size_t v = f + 1; v < e; ++v) {
        float x = best[v / kLanes - b0].visual[v % kLanes];
        if (x > best_visual) best_visual = x, best_v = v;
      }
      at = int32_t((best_v / kLanes - b0) * kBlockFloats + best_v % kLanes);
    }
    j.best_at[i - c0] = at;
  }
  // The visual columns from the best vectors.
  const float* lanes = best ? &best[0].colour[0][0] : nullptr;
  static constexpr Score kVisual[6] = {Score::color_primary,   Score::color_secondary,   Score::color_tertiary,
                                       Score::pattern_primary, Score::pattern_secondary, Score::pattern_tertiary};
  for (size_t c = 0; c < 6; ++c) {
    float* out = out_of(j, kVisual[c]) - c0;
    const size_t offset = c * kLanes;  // LaneScores: colour[3][16], pattern[3][16], visual[16]
    for (size_t i = c0; i < c1; ++i) {
      const int32_t at = j.best_at[i - c0];
      out[i] = at >= 0 ? lanes[size_t(at) + offset] : kNaN;
    }
  }
  // match: the weighted mean of the present scores.
  static constexpr float kWeights[kScoreCount] = {0, .10f, .05f, .05f, .05f, .05f, .20f, .10f, .05f, .20f, .10f, .05f};
  std::fill_n(j.sum, len, 0.f), std::fill_n(j.weight, len, 0.f);
  for (size_t c = 1; c < kScoreCount; ++c) add_present(out_of(j, Score(c)), kWeights[c], j.sum, j.weight, len);
  float* __restrict match = out_of(j, Score::match);
  for (size_t i = 0; i < len; ++i) match[i] = j.weight[i] > 0 ? j.sum[i] / j.weight[i] : kNaN;
}

// Asks for transparent huge pages on a large output array before it is first touched: a
// 2 MiB fault instead of 512 small ones (a hint; nothing changes where THP is off).
void huge_pages(void* p, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  if (bytes < 2 * kHuge) return;
  uintptr_t b = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  uintptr_t e = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (e > b) ::madvise(reinterpret_cast<void*>(b), e - b, MADV_HUGEPAGE);
}

}  // namespace

ScoreMatrix score_catalog(const snap::Snapshot& snapshot, const Reference& reference, unsigned threads) {
  const size_t dim = snapshot.dimension();
  if (dim == 0 || reference.vectors.size() % dim != 0)
    throw std::invalid_argument("reference vectors are not a whole number of " + std::to_string(dim) + " floats");
  const size_t n = snapshot.size(), refs = reference.vectors.size() / dim;
  const auto palette = snapshot.palette();

  ScoreMatrix m;
  m.model_version = std::string(snapshot.model_version());
  m.reference_product_id = reference.product_id;
  std::memcpy(m.snapshot_fingerprint.data(), snapshot.header().fingerprint, 16);
  m.id_width = std::max<size_t>(1, snapshot.header().max_id_length);

  // Reference side, once.
  std::vector<Prepared> prepared(refs);
  const size_t padded = (palette.size() + kLanes - 1) / kLanes * kLanes;
  std::vector<float> luts(refs * kColours * padded), pal(3 * padded);
  for (size_t e = 0; e < palette.size(); ++e)
    pal[e] = palette[e].l, pal[padded + e] = palette[e].a, pal[2 * padded + e] = palette[e].b;
  std::vector<Lab> ref_colours(refs * kColours);
  for (size_t r = 0; r < refs; ++r) {
    std::span<const float> v(reference.vectors.data() + r * dim, dim);
    prepared[r] = prepare(v);
    for (size_t i = 0; i < kColours; ++i) prepared[r].lut[i] = luts.data() + (r * kColours + i) * padded;
    for (size_t i = 0; i < kColours; ++i) {
      const float* c = v.data() + kColourOffset + i * kColourStride;
      ref_colours[r * kColours + i] = {c[0], c[1], c[2]};
    }
  }
  const uint32_t ref_type = reference_term(snapshot, reference.category.type);
  const uint32_t ref_material = reference_term(snapshot, reference.category.material);
  ReferenceDimension ref_dims[3];
  if (!reference.formats.empty()) {
    ref_dims[0] = reference_dimension(reference.formats[0].length);
    ref_dims[1] = reference_dimension(reference.formats[0].width);
    ref_dims[2] = reference_dimension(reference.formats[0].thickness);
  }

  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = unsigned(std::min<size_t>(threads, std::max<size_t>(1, n / 4096)));

  // Work is claimed, not assigned: on a busy machine a thread that starts late takes less
  // (each product's scores do not depend on which thread computes them). Setup items first
  // (the 13 output arrays, the look-up table in groups of 16 entries); products wait until
  // every setup item is done, then go in chunks whose blocks' scores stay in cache.
  const size_t lut_groups = padded / kLanes * refs * kColours;
  const size_t setup_items = kScoreCount + 1 + lut_groups;
  std::atomic<size_t> next_setup{0}, setup_done{0}, next_chunk{0};
  const auto& sc = snapshot.scoring();

  auto work = [&](unsigned t) {
    for (size_t k; (k = next_setup.fetch_add(1, std::memory_order_relaxed)) < setup_items;) {
      if (k < kScoreCount) {
        m.columns[k].reserve(n);
        huge_pages(m.columns[k].data(), n * sizeof(float));
        m.columns[k].resize(n);
      } else if (k == kScoreCount) {
        m.ids = sc.ids;  // a copy: no zero-fill
      } else {
        const size_t g = k - kScoreCount - 1, per_colour = padded / kLanes;
        const size_t r = g / (per_colour * kColours), i = g / per_colour % kColours, e = g % per_colour * kLanes;
        ciede2000_16(ref_colours[r * kColours + i], pal.data() + e, pal.data() + padded + e,
                     pal.data() + 2 * padded + e, float(kColourLightnessWeight),
                     luts.data() + (r * kColours + i) * padded + e);
      }
      if (setup_done.fetch_add(1, std::memory_order_acq_rel) + 1 == setup_items) setup_done.notify_all();
    }
    for (size_t d; (d = setup_done.load(std::memory_order_acquire)) < setup_items;) setup_done.wait(d);

    const auto blocks = snapshot.blocks();
    static const BlockScorer score_block = block_scorer();
    std::vector<LaneScores> best, scratch(1);
    std::vector<int32_t> best_at(kChunk);
    std::vector<float> sum(kChunk), weight(kChunk), chunk_scores(kScoreCount * kChunk);
    auto out_of = [&](Score s) { return chunk_scores.data() + size_t(s) * kChunk; };  // this chunk's column s
    for (size_t c0; (c0 = next_chunk.fetch_add(1, std::memory_order_relaxed) * kChunk) < n;) {
      const size_t c1 = std::min(n, c0 + kChunk);
      const size_t v0 = sc.first_vector[c0], v1 = sc.first_vector[c1];
      const size_t b0 = v0 / kLanes, b1 = (v1 + kLanes - 1) / kLanes;
      const bool visual = refs > 0 && v1 > v0;
      if (visual) {
        best.resize(b1 - b0);
        for (size_t b = b0; b < b1; ++b) {
          LaneScores& out = best[b - b0];
          score_block(blocks[b], prepared[0], out);
          for (size_t r = 1; r < refs; ++r) {
            score_block(blocks[b], prepared[r], scratch[0]);
            const LaneScores& s = scratch[0];
            for (unsigned l = 0; l < kLanes; ++l)
              if (s.visual[l] > out.visual[l]) {
                out.visual[l] = s.visual[l];
                for (int i = 0; i < 3; ++i) out.colour[i][l] = s.colour[i][l], out.pattern[i][l] = s.pattern[i][l];
              }
          }
        }
      }
      const size_t len = c1 - c0;
      chunk_columns({sc, c0, c1, ref_type, ref_material, ref_dims, visual, best.data(), b0, best_at.data(), sum.data(),
                     weight.data(), chunk_scores.data()});
      // Out to the columns, by-passing the cache: they were zero-filled (std::vector) long
      // before, so ordinary stores would first read every line back from memory.
      for (size_t c = 0; c < kScoreCount; ++c) stream(m.columns[c].data() + c0, out_of(Score(c)), len);
    }
    stream_fence();
  };
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
  }
  return m;
}

}  // namespace k9::search
