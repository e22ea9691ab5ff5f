#include "search/scorer.h"

#include <algorithm>
#include <array>
#include <barrier>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <thread>

#include "catalog/snapshot/writer.h"
#include "vision/features.h"
#include "vision/scores.h"

// Vector types of 16 lanes (one vector of the snapshot each) are passed between inlined
// helpers only; the ABI note about passing them by value does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace k9::search {

namespace {

using namespace k9::vision;
namespace snap = catalog::snapshot;
using snap::kLanes;
using snap::VectorBlock;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

typedef float vf __attribute__((vector_size(64)));
typedef int32_t vi __attribute__((vector_size(64)));
typedef uint8_t vb __attribute__((vector_size(16)));
typedef uint16_t vh __attribute__((vector_size(32)));
static_assert(kLanes == 16);

// What one reference photo contributes, prepared once.
struct Prepared {
  float lbp[kLevels][kLbpBins];  // sqrt(p)
  float lbp_inv[kLevels];        // 1 / sqrt(sum p), 0 for an empty level
  float orient[kOrientBins][kOrientBins];  // [shift][bin]: sqrt(p[(bin - shift) mod 12])
  float orient_inv;
  float spectrum[kLevels];          // sqrt(p)
  float spectrum_sum[5];            // sum of p over the overlapping levels of shift s - 2
  float share[kColours];
  const float* lut = nullptr;       // [palette code][4]: dE00 (kL = 2) to colour 0, 1, 2
};

// Per lane (vector) of one block: colour and pattern scores and their visual match.
struct LaneScores {
  float colour[3][kLanes], pattern[3][kLanes], visual[kLanes];
};

[[gnu::always_inline]] inline vf splat(float x) { return vf{} + x; }
[[gnu::always_inline]] inline vf bytes(const uint8_t* p) {
  // Through a float array: GCC vectorises this (zero-extend, convert), not the element-wise forms.
  float t[kLanes];
  for (unsigned l = 0; l < kLanes; ++l) t[l] = float(p[l]);
  vf r;
  std::memcpy(&r, t, sizeof r);
  return r;
}
[[gnu::always_inline]] inline vf vmax(vf a, vf b) { return a > b ? a : b; }
[[gnu::always_inline]] inline vf vmin(vf a, vf b) { return a < b ? a : b; }
[[gnu::always_inline]] inline vf vsqrt(vf x) {
  vf r;
  for (unsigned l = 0; l < kLanes; ++l) r[l] = __builtin_sqrtf(x[l]);
  return r;
}
// 1 - Hellinger distance from a Bhattacharyya coefficient.
[[gnu::always_inline]] inline vf hellinger(vf bc) { return 1 - vsqrt(vmax(splat(0), 1 - vmin(bc, splat(1)))); }
// 1 / sqrt(x), 0 where x is 0.
[[gnu::always_inline]] inline vf inv_length(vf x) { return x > 0 ? 1 / vsqrt(vmax(x, splat(1e-30f))) : splat(0); }

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void score_block(const VectorBlock& b, const Prepared& r, LaneScores& out) {
  // Colour: dE00 of every (reference colour i, product colour j) from the look-up table.
  float de_lanes[3][3][kLanes];
  for (unsigned j = 0; j < 3; ++j)
    for (unsigned l = 0; l < kLanes; ++l) {
      const float* e = r.lut + size_t(b.colour[j][l]) * 4;
      de_lanes[0][j][l] = e[0], de_lanes[1][j][l] = e[1], de_lanes[2][j][l] = e[2];
    }
  vf de[3][3], share[3];
  for (unsigned i = 0; i < 3; ++i) {
    share[i] = bytes(b.share[i]) * (1.f / 255);
    for (unsigned j = 0; j < 3; ++j) std::memcpy(&de[i][j], de_lanes[i][j], sizeof(vf));
  }
  // The 6 assignments in std::next_permutation order; the first least share-weighted cost wins.
  static constexpr unsigned kPerms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  vf best_cost{}, sel[3];
  for (unsigned p = 0; p < 6; ++p) {
    const unsigned* m = kPerms[p];
    vf cost = (r.share[0] + share[m[0]]) * de[0][m[0]] + (r.share[1] + share[m[1]]) * de[1][m[1]] +
              (r.share[2] + share[m[2]]) * de[2][m[2]];
    if (p == 0) {
      best_cost = cost;
      for (unsigned i = 0; i < 3; ++i) sel[i] = de[i][m[i]];
    } else {
      auto better = cost < best_cost;
      best_cost = better ? cost : best_cost;
      for (unsigned i = 0; i < 3; ++i) sel[i] = better ? de[i][m[i]] : sel[i];
    }
  }
  vf colour[3];
  for (unsigned i = 0; i < 3; ++i) {
    vf x = sel[i] * 0.1f;
    colour[i] = 1 / (1 + x * x);
  }

  // LBP: dot[i][s + 2] = sum over bins of sqrt(p_i) * byte(q_{i+s}).
  vf dot[kLevels][5] = {}, q2[kLevels] = {};
  for (int j = 0; j < int(kLevels); ++j)
    for (unsigned k = 0; k < kLbpBins; ++k) {
      vf q = bytes(b.lbp[j * kLbpBins + k]);
      q2[j] += q * q;
      for (int s = -2; s <= 2; ++s) {
        int i = j - s;
        if (i >= 0 && i < int(kLevels)) dot[i][s + 2] += r.lbp[i][k] * q;
      }
    }
  vf inv_q[kLevels];
  for (unsigned j = 0; j < kLevels; ++j) inv_q[j] = inv_length(q2[j]);
  // Spectrum bytes.
  vf sp[kLevels], sp2[kLevels];
  for (unsigned j = 0; j < kLevels; ++j) sp[j] = bytes(b.spectrum[j]), sp2[j] = sp[j] * sp[j];

  vf best_primary{}, tertiary{};
  for (int s = -2; s <= 2; ++s) {
    vf sum{}, sdot{}, sq{};
    int n = 0;
    for (int i = 0; i < int(kLevels); ++i) {
      int j = i + s;
      if (j < 0 || j >= int(kLevels)) continue;
      sum += hellinger(dot[i][s + 2] * r.lbp_inv[i] * inv_q[j]);
      sdot += r.spectrum[i] * sp[j];
      sq += sp2[j];
      ++n;
    }
    float penalty = 1 - 0.02f * float(std::abs(s));
    vf primary = sum * (penalty / float(n));
    float ps = r.spectrum_sum[s + 2];
    vf ter = ps > 0 ? hellinger(sdot * inv_length(sq) * (1 / std::sqrt(ps))) * penalty : splat(0);
    if (s == -2) {
      best_primary = primary, tertiary = ter;
    } else {
      auto better = primary > best_primary;
      best_primary = better ? primary : best_primary;
      tertiary = better ? ter : tertiary;
    }
  }

  // Orientation: the best of the 12 circular shifts.
  vf acc[kOrientBins] = {}, o2{};
  for (unsigned m = 0; m < kOrientBins; ++m) {
    vf q = bytes(b.orient[m]);
    o2 += q * q;
    for (unsigned k = 0; k < kOrientBins; ++k) acc[k] += r.orient[k][m] * q;
  }
  vf best = acc[0];
  for (unsigned k = 1; k < kOrientBins; ++k) best = vmax(best, acc[k]);
  vf secondary = hellinger(best * r.orient_inv * inv_length(o2));

  vf visual = (0.20f * colour[0] + 0.10f * colour[1] + 0.05f * colour[2] + 0.20f * best_primary + 0.10f * secondary +
               0.05f * tertiary) *
              (1 / 0.70f);
  for (unsigned i = 0; i < 3; ++i) std::memcpy(out.colour[i], &colour[i], sizeof(vf));
  std::memcpy(out.pattern[0], &best_primary, sizeof(vf));
  std::memcpy(out.pattern[1], &secondary, sizeof(vf));
  std::memcpy(out.pattern[2], &tertiary, sizeof(vf));
  std::memcpy(out.visual, &visual, sizeof(vf));
}

Prepared prepare(std::span<const float> v) {
  Prepared p{};
  auto pos = [](float x) { return std::isfinite(x) ? std::max(0.f, x) : 0.f; };
  for (size_t i = 0; i < kLevels; ++i) {
    double sum = 0;
    for (size_t k = 0; k < kLbpBins; ++k) {
      float h = pos(v[kLbpOffset + i * kLbpBins + k]);
      p.lbp[i][k] = std::sqrt(h), sum += h;
    }
    p.lbp_inv[i] = sum > 0 ? float(1 / std::sqrt(sum)) : 0;
  }
  double osum = 0;
  for (size_t m = 0; m < kOrientBins; ++m) osum += pos(v[kOrientOffset + m]);
  for (size_t k = 0; k < kOrientBins; ++k)
    for (size_t m = 0; m < kOrientBins; ++m) p.orient[k][m] = std::sqrt(pos(v[kOrientOffset + (m + kOrientBins - k) % kOrientBins]));
  p.orient_inv = osum > 0 ? float(1 / std::sqrt(osum)) : 0;
  for (size_t i = 0; i < kLevels; ++i) p.spectrum[i] = std::sqrt(pos(v[kSpectrumOffset + i]));
  for (int s = -2; s <= 2; ++s) {
    double sum = 0;
    for (int i = 0; i < int(kLevels); ++i)
      if (i + s >= 0 && i + s < int(kLevels)) sum += pos(v[kSpectrumOffset + i]);
    p.spectrum_sum[s + 2] = float(sum);
  }
  for (size_t i = 0; i < kColours; ++i) p.share[i] = v[kColourOffset + i * kColourStride + 3];
  return p;
}

// The 1-based term of a reference's category value: 0 absent, UINT32_MAX present but in no
// catalog product (so every present product term differs).
uint32_t reference_term(const snap::Snapshot& s, const std::optional<std::string>& value) {
  if (!value) return 0;
  std::string n = snap::normalised_term(*value);
  if (n.empty()) return 0;
  for (size_t t = 1; t <= s.term_count(); ++t)
    if (s.term(uint16_t(t)) == n) return uint32_t(t);
  return UINT32_MAX;
}

struct ReferenceDimension {
  float mm = kNaN;  // NaN when absent or not positive
  bool unitless = false;
};

ReferenceDimension reference_dimension(const std::optional<Dimension>& d) {
  if (!d) return {};
  double v = std::strtod(d->val.text.c_str(), nullptr);
  if (!std::isfinite(v) || v <= 0) return {};
  return {float(d->unit == "in" ? v * 25.4 : v), d->unit == "none"};
}

inline float dimension_score(const ReferenceDimension& r, float product, bool unitless) {
  if (!(r.mm > 0) || !(product > 0) || std::isinf(product) || r.unitless != unitless) return kNaN;
  return std::min(r.mm, product) / std::max(r.mm, product);
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
  std::vector<float> luts(refs * palette.size() * 4);
  std::vector<Lab> ref_colours(refs * kColours);
  for (size_t r = 0; r < refs; ++r) {
    std::span<const float> v(reference.vectors.data() + r * dim, dim);
    prepared[r] = prepare(v);
    prepared[r].lut = luts.data() + r * palette.size() * 4;
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
  std::barrier sync(threads);

  auto work = [&](unsigned t) {
    // Phase 1: this thread's share of the output (zero-filling 13 arrays is a fair part of
    // the time at a million products) and of the colour look-up tables.
    for (size_t k = t; k <= kScoreCount; k += threads) {
      if (k == kScoreCount) m.ids.resize(n * m.id_width);
      else m.columns[k].resize(n);
    }
    size_t p0 = palette.size() * t / threads, p1 = palette.size() * (t + 1) / threads;
    for (size_t r = 0; r < refs; ++r)
      for (size_t e = p0; e < p1; ++e) {
        Lab c{palette[e].l, palette[e].a, palette[e].b};
        float* out = luts.data() + (r * palette.size() + e) * 4;
        for (size_t i = 0; i < kColours; ++i) out[i] = float(ciede2000(ref_colours[r * kColours + i], c, kColourLightnessWeight));
        out[3] = 0;
      }
    sync.arrive_and_wait();

    // Phase 2: this thread's products, in chunks whose blocks' scores stay in cache.
    const size_t begin = n * t / threads, end = n * (t + 1) / threads;
    const auto blocks = snapshot.blocks();
    std::vector<LaneScores> best, scratch(1);
    constexpr size_t kChunk = 2048;
    for (size_t c0 = begin; c0 < end; c0 += kChunk) {
      const size_t c1 = std::min(end, c0 + kChunk);
      const size_t v0 = snapshot.record(c0).first_vector;
      const size_t v1 = snapshot.record(c1 - 1).first_vector + snapshot.record(c1 - 1).vector_count;
      const size_t b0 = v0 / kLanes, b1 = (v1 + kLanes - 1) / kLanes;
      if (refs > 0 && v1 > v0) {
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
      float* col[kScoreCount];
      for (size_t k = 0; k < kScoreCount; ++k) col[k] = m.columns[k].data();
      for (size_t i = c0; i < c1; ++i) {
        const snap::ProductRecord& rec = snapshot.record(i);
        std::string_view id = snapshot.text(rec.id);
        std::memcpy(m.ids.data() + i * m.id_width, id.data(), id.size());
        double sum = 0, weight = 0;
        auto put = [&](Score s, float v, double w) {
          col[size_t(s)][i] = v;
          if (v == v) sum += double(v) * w, weight += w;
        };
        if (refs > 0 && rec.vector_count > 0) {
          size_t v = rec.first_vector, best_v = v;
          float best_visual = -1;
          for (; v < size_t(rec.first_vector) + rec.vector_count; ++v) {
            float x = best[v / kLanes - b0].visual[v % kLanes];
            if (x > best_visual) best_visual = x, best_v = v;
          }
          const LaneScores& s = best[best_v / kLanes - b0];
          unsigned l = best_v % kLanes;
          put(Score::color_primary, s.colour[0][l], 0.20), put(Score::color_secondary, s.colour[1][l], 0.10);
          put(Score::color_tertiary, s.colour[2][l], 0.05);
          put(Score::pattern_primary, s.pattern[0][l], 0.20), put(Score::pattern_secondary, s.pattern[1][l], 0.10);
          put(Score::pattern_tertiary, s.pattern[2][l], 0.05);
        } else {
          for (Score s : {Score::color_primary, Score::color_secondary, Score::color_tertiary, Score::pattern_primary,
                          Score::pattern_secondary, Score::pattern_tertiary})
            col[size_t(s)][i] = kNaN;
        }
        put(Score::type_type, ref_type && rec.type_term ? float(ref_type == rec.type_term) : kNaN, 0.10);
        put(Score::type_material, ref_material && rec.material_term ? float(ref_material == rec.material_term) : kNaN, 0.05);
        put(Score::shape_length, dimension_score(ref_dims[0], rec.length_mm, rec.unitless & snap::kLengthUnitless), 0.05);
        put(Score::shape_width, dimension_score(ref_dims[1], rec.width_mm, rec.unitless & snap::kWidthUnitless), 0.05);
        put(Score::shape_thickness, dimension_score(ref_dims[2], rec.thickness_mm, rec.unitless & snap::kThicknessUnitless), 0.05);
        col[size_t(Score::match)][i] = weight > 0 ? float(sum / weight) : kNaN;
      }
    }
  };
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
  }
  return m;
}

}  // namespace k9::search
