// The scoring kernel: one template over the instruction set, inlined into a function per
// instruction set (AVX-512 with VNNI, AVX-512, AVX2, baseline x86-64), and the vectorised
// CIEDE2000 of the colour look-up table. Compiled with -O3 -fno-math-errno (CMakeLists.txt);
// the per-ISA code generation comes from the target attributes here.
#include "search/scorer_kernel.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string_view>

// Vector types of 16 lanes (one vector of the snapshot each) are passed between inlined
// helpers only; the ABI note about passing them by value does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace k9::search::scoring {

namespace {

using namespace k9::vision;
using catalog::snapshot::kLanes;
using catalog::snapshot::VectorBlock;

typedef float vf __attribute__((vector_size(64)));
typedef int32_t vi __attribute__((vector_size(64)));
typedef uint8_t vb __attribute__((vector_size(16)));
typedef uint16_t vh __attribute__((vector_size(32)));
static_assert(kLanes == 16);

[[gnu::always_inline]] inline vf splat(float x) { return vf{} + x; }
// m ? a : b per lane, by bit operations: GCC 12 lowers `?:` on vectors wider than the
// hardware's (16 lanes on AVX2, SSE) to scalar code, and these to two or four instructions.
[[gnu::always_inline]] inline vf sel(vi m, vf a, vf b) { return vf((m & vi(a)) | (~m & vi(b))); }
[[gnu::always_inline]] inline vf vmax(vf a, vf b) { return sel(a > b, a, b); }
[[gnu::always_inline]] inline vf vmin(vf a, vf b) { return sel(a < b, a, b); }
[[gnu::always_inline]] inline vf vsqrt(vf x) {
  vf r;
  for (unsigned l = 0; l < kLanes; ++l) r[l] = __builtin_sqrtf(x[l]);
  return r;
}

// Byte -> float conversion of one row of 16 lanes, per instruction set: GCC 12 lowers the
// generic forms to a dozen instructions (or scalar code); the x86 ones are two or three. The
// kernel is a template over these, inlined (flatten) into one function per instruction set.
// Lane-wise comparison and max / min on 16 lanes as `Parts` hardware vectors of type V (GCC 12
// lowers these on 16-lane vectors to scalar code unless the hardware has 16 lanes).
template <class V, class Op>
[[gnu::always_inline]] inline vf by_parts(vf a, vf b, Op op) {
  constexpr size_t kParts = sizeof(vf) / sizeof(V);
  V x[kParts], y[kParts];
  std::memcpy(x, &a, sizeof a), std::memcpy(y, &b, sizeof b);
  for (size_t k = 0; k < kParts; ++k) x[k] = op(x[k], y[k]);
  vf r;
  std::memcpy(&r, x, sizeof r);
  return r;
}

struct Generic {
  static constexpr bool kIntegerDots = false;
  static inline vi gt(vf a, vf b) {
    return vi(by_parts<__m128>(a, b, [](__m128 x, __m128 y) { return _mm_cmpgt_ps(x, y); }));
  }
  static inline vf max(vf a, vf b) {
    return by_parts<__m128>(a, b, [](__m128 x, __m128 y) { return _mm_max_ps(x, y); });
  }
  static inline vf min(vf a, vf b) {
    return by_parts<__m128>(a, b, [](__m128 x, __m128 y) { return _mm_min_ps(x, y); });
  }
  static inline vf bytes(const uint8_t* p) {
    vb b;
    std::memcpy(&b, p, sizeof b);
    // In two steps: GCC 12 scalarises a direct u8 -> i32 conversion.
    return __builtin_convertvector(__builtin_convertvector(__builtin_convertvector(b, vh), vi), vf);
  }
  static inline vf rsqrt(vf x) { return 1 / vsqrt(x); }
  static inline vf gather(const float* table, const uint16_t* codes) {
    float t[kLanes];
    for (unsigned l = 0; l < kLanes; ++l) t[l] = table[codes[l]];
    vf r;
    std::memcpy(&r, t, sizeof r);
    return r;
  }
  static inline vf rcp(vf x) { return 1 / x; }
};
#ifdef K9_SCORER_SIMD
struct Avx2 {
  static constexpr bool kIntegerDots = false;
  __attribute__((target("arch=x86-64-v3"))) static inline vi gt(vf a, vf b) {
    return vi(by_parts<__m256>(
        a, b,
        [](__m256 x, __m256 y) __attribute__((target("arch=x86-64-v3"))) { return _mm256_cmp_ps(x, y, _CMP_GT_OQ); }));
  }
  __attribute__((target("arch=x86-64-v3"))) static inline vf max(vf a, vf b) {
    return by_parts<__m256>(
        a, b, [](__m256 x, __m256 y) __attribute__((target("arch=x86-64-v3"))) { return _mm256_max_ps(x, y); });
  }
  __attribute__((target("arch=x86-64-v3"))) static inline vf min(vf a, vf b) {
    return by_parts<__m256>(
        a, b, [](__m256 x, __m256 y) __attribute__((target("arch=x86-64-v3"))) { return _mm256_min_ps(x, y); });
  }
  __attribute__((target("arch=x86-64-v3"))) static inline vf bytes(const uint8_t* p) {
    __m256 lo = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
    __m256 hi = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + 8))));
    vf r;
    std::memcpy(&r, &lo, sizeof lo), std::memcpy(reinterpret_cast<char*>(&r) + sizeof lo, &hi, sizeof hi);
    return r;
  }
  __attribute__((target("arch=x86-64-v3"))) static inline vf gather(const float* table, const uint16_t* codes) {
    __m256 h[2];
    for (int k = 0; k < 2; ++k)
      h[k] = _mm256_i32gather_ps(
          table, _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + 8 * k))), 4);
    vf r;
    std::memcpy(&r, h, sizeof r);
    return r;
  }
  // Estimates (12 bits) refined by one Newton step: ~1e-7 relative.
  __attribute__((target("arch=x86-64-v3"))) static inline vf rsqrt(vf x) {
    __m256 h[2];
    std::memcpy(h, &x, sizeof x);
    h[0] = _mm256_rsqrt_ps(h[0]), h[1] = _mm256_rsqrt_ps(h[1]);
    vf r;
    std::memcpy(&r, h, sizeof r);
    return r * (1.5f - 0.5f * x * r * r);
  }
  __attribute__((target("arch=x86-64-v3"))) static inline vf rcp(vf x) {
    __m256 h[2];
    std::memcpy(h, &x, sizeof x);
    h[0] = _mm256_rcp_ps(h[0]), h[1] = _mm256_rcp_ps(h[1]);
    vf r;
    std::memcpy(&r, h, sizeof r);
    return r * (2 - x * r);
  }
};
struct Avx512 {
  static constexpr bool kIntegerDots = false;
  static inline vi gt(vf a, vf b) { return a > b; }
  static inline vf max(vf a, vf b) { return vmax(a, b); }
  static inline vf min(vf a, vf b) { return vmin(a, b); }
  __attribute__((target("arch=x86-64-v4"))) static inline vf bytes(const uint8_t* p) {
    return vf(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)))));
  }
  __attribute__((target("arch=x86-64-v4"))) static inline vf gather(const float* table, const uint16_t* codes) {
    return vf(_mm512_i32gather_ps(_mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes))),
                                  table, 4));
  }
  // Estimates (14 bits) refined by one Newton step: ~1e-8 relative (vsqrtps and vdivps on
  // 16 lanes take 10-12 cycles each; the kernel has 42 square roots per block).
  __attribute__((target("arch=x86-64-v4"))) static inline vf rsqrt(vf x) {
    vf r = vf(_mm512_rsqrt14_ps(__m512(x)));
    return r * (1.5f - 0.5f * x * r * r);
  }
  __attribute__((target("arch=x86-64-v4"))) static inline vf rcp(vf x) {
    vf r = vf(_mm512_rcp14_ps(__m512(x)));
    return r * (2 - x * r);
  }
};
// AVX-512 with VNNI: the LBP and orientation dot products on integers, two bins per 32-bit
// lane (vpdpwssd: 16 lanes x 2 products and the sum in one instruction).
struct Avx512Vnni : Avx512 {
  static constexpr bool kIntegerDots = true;
  // Rows p[0..15] and p[16..31] (two bins of 16 lanes) as 16 lanes of (bin 0, bin 1) int16 pairs.
  __attribute__((target("arch=x86-64-v4,avx512vnni"))) static inline vi pairs(const uint8_t* p) {
    const __m512i idx = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8, 23, 7, 22, 6, 21,
                                         5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    return vi(
        _mm512_permutexvar_epi16(idx, _mm512_cvtepu8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)))));
  }
  __attribute__((target("arch=x86-64-v4,avx512vnni"))) static inline vi dot(vi acc, vi a, vi b) {
    return vi(_mm512_dpwssd_epi32(__m512i(acc), __m512i(a), __m512i(b)));
  }
};
#endif  // K9_SCORER_SIMD

// 1 - Hellinger distance from a Bhattacharyya coefficient.
template <class Isa>
inline vf hellinger(vf bc) {
  vf y = Isa::max(splat(0), 1 - Isa::min(bc, splat(1)));
  return 1 - sel(Isa::gt(y, splat(0)), y * Isa::rsqrt(Isa::max(y, splat(1e-30f))), splat(0));
}
// 1 / sqrt(x), 0 where x is 0.
template <class Isa>
inline vf inv_length(vf x) {
  return sel(Isa::gt(x, splat(0)), Isa::rsqrt(Isa::max(x, splat(1e-30f))), splat(0));
}

// CIEDE2000 (vision/scores.h ciede2000, kC = kH = 1) of one colour x against 16 colours y, in
// float: hue angles are replaced by unit vectors (the mean hue is the bisector of the two,
// sin(dh / 2) half their chord), so only d_theta needs an angle (atan2) and an exp; both by
// series accurate to about 1e-7 here. Agrees with the double version to ~1e-4 dE00 (mean 7e-6
// over 3.2M random pairs), except within ~0.001 degree of opposite hues, where the mean hue
// (and so dE00, by up to ~1 at dE00 ~100) jumps in both.
[[gnu::always_inline]] inline vf vatan_deg(vf y, vf x) {  // atan2 in degrees, (-180, 180]
  vf ax = sel(x < 0, -x, x), ay = sel(y < 0, -y, y);
  vf hi = vmax(ax, ay), lo = vmin(ax, ay);
  vf t = lo / vmax(hi, splat(1e-30f));                // in [0, 1]
  auto big = t > 0.41421356f;                         // tan(pi / 8): atan(t) = pi/4 + atan((t-1)/(t+1))
  vf u = sel(big, (t - 1) / (t + 1), t), u2 = u * u;  // |u| <= tan(pi / 8)
  vf r = splat(1.f / 15);                             // Taylor series to u^15: error < 2e-8
  for (float c : {-1.f / 13, 1.f / 11, -1.f / 9, 1.f / 7, -1.f / 5, 1.f / 3, -1.f}) r = r * u2 + c;
  r = -r * u;
  r = sel(big, r + 0.78539816f, r);
  r = sel(ay > ax, 1.57079633f - r, r);
  r = sel(x < 0, 3.14159265f - r, r);
  r = sel(y < 0, -r, r);
  return r * float(180 / 3.14159265358979);
}
[[gnu::always_inline]] inline vf vexp_neg(vf z) {  // exp(z) for z <= 0, 0 below -80
  z = vmax(z, splat(-80.f));
  vf k = __builtin_convertvector(__builtin_convertvector(z * 1.44269504f - 0.5f, vi), vf);  // round(z / ln 2)
  vf r = z - k * 0.693147181f, p = splat(1.f / 5040);  // |r| <= ln 2 / 2: Taylor to r^7, error < 1e-8
  for (float c : {1.f / 720, 1.f / 120, 1.f / 24, 1.f / 6, 0.5f, 1.f, 1.f}) p = p * r + c;
  vi e = (__builtin_convertvector(k, vi) + 127) << 23;
  vf two_k;
  std::memcpy(&two_k, &e, sizeof e);
  return p * two_k;
}
[[gnu::always_inline]] inline vf vsin_small(vf x) {  // sin(x), |x| <= pi / 2: Taylor to x^11
  vf x2 = x * x, p = splat(-1.f / 39916800);
  for (float c : {1.f / 362880, -1.f / 5040, 1.f / 120, -1.f / 6, 1.f}) p = p * x2 + c;
  return p * x;
}

template <class Isa>
inline void score_block(const VectorBlock& b, const Prepared& r, LaneScores& out) {
  // Colour: dE00 of every (reference colour i, product colour j) from the look-up table.
  vf de[3][3], share[3];
  for (unsigned j = 0; j < 3; ++j)
    for (unsigned i = 0; i < 3; ++i) de[i][j] = Isa::gather(r.lut[i], b.colour[j]);
  for (unsigned i = 0; i < 3; ++i) share[i] = Isa::bytes(b.share[i]) * (1.f / 255);
  // The 6 assignments in std::next_permutation order; the first least share-weighted cost wins.
  static constexpr unsigned kPerms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  vf best_cost{}, chosen[3];
  for (unsigned p = 0; p < 6; ++p) {
    const unsigned* m = kPerms[p];
    vf cost = (r.share[0] + share[m[0]]) * de[0][m[0]] + (r.share[1] + share[m[1]]) * de[1][m[1]] +
              (r.share[2] + share[m[2]]) * de[2][m[2]];
    if (p == 0) {
      best_cost = cost;
      for (unsigned i = 0; i < 3; ++i) chosen[i] = de[i][m[i]];
    } else {
      auto better = Isa::gt(best_cost, cost);
      best_cost = sel(better, cost, best_cost);
      for (unsigned i = 0; i < 3; ++i) chosen[i] = sel(better, de[i][m[i]], chosen[i]);
    }
  }
  vf colour[3];
  for (unsigned i = 0; i < 3; ++i) {
    vf x = chosen[i] * 0.1f;
    colour[i] = Isa::rcp(1 + x * x);
  }

  // LBP and spectrum, per product level j: dot[s + 2] = sum over bins of sqrt(p_{j-s}) * byte(q_j),
  // accumulated into the Hellinger sums of each shift s as soon as level j is done.
  vf lbp_sum[5] = {}, sdot[5] = {}, sq[5] = {};
#pragma GCC unroll 6
  for (int j = 0; j < int(kLevels); ++j) {
    vf dot[5] = {}, q2{};
    float scale[5];  // of dot[s + 2]: 1 / sqrt(sum p_{j-s}), with the integer weights' 1 / scale
    if constexpr (Isa::kIntegerDots) {
      vi idot[5] = {}, iq2{};
#pragma GCC unroll 5
      for (unsigned k = 0; k < kLbpBins / 2; ++k) {
        vi q = Isa::pairs(b.lbp[j * kLbpBins + 2 * k]);
        iq2 = Isa::dot(iq2, q, q);
#pragma GCC unroll 5
        for (int s = -2; s <= 2; ++s) {
          int i = j - s;
          if (i >= 0 && i < int(kLevels)) idot[s + 2] = Isa::dot(idot[s + 2], q, vi{} + r.lbp_pairs[i][k]);
        }
      }
      q2 = __builtin_convertvector(iq2, vf);
      for (int s = -2; s <= 2; ++s) {
        int i = j - s;
        if (i >= 0 && i < int(kLevels))
          dot[s + 2] = __builtin_convertvector(idot[s + 2], vf), scale[s + 2] = r.lbp_inv_int[i];
      }
    } else {
#pragma GCC unroll 10
      for (unsigned k = 0; k < kLbpBins; ++k) {
        vf q = Isa::bytes(b.lbp[j * kLbpBins + k]);
        q2 += q * q;
#pragma GCC unroll 5
        for (int s = -2; s <= 2; ++s) {
          int i = j - s;
          if (i >= 0 && i < int(kLevels)) dot[s + 2] += r.lbp[i][k] * q;
        }
      }
      for (int s = -2; s <= 2; ++s) {
        int i = j - s;
        if (i >= 0 && i < int(kLevels)) scale[s + 2] = r.lbp_inv[i];
      }
    }
    vf inv_q = inv_length<Isa>(q2), sp = Isa::bytes(b.spectrum[j]);
#pragma GCC unroll 5
    for (int s = -2; s <= 2; ++s) {
      int i = j - s;
      if (i < 0 || i >= int(kLevels)) continue;
      lbp_sum[s + 2] += hellinger<Isa>(dot[s + 2] * (scale[s + 2] * inv_q));
      sdot[s + 2] += r.spectrum[i] * sp;
      sq[s + 2] += sp * sp;
    }
  }
  vf best_primary{}, tertiary{};
#pragma GCC unroll 5
  for (int s = -2; s <= 2; ++s) {
    const int n = int(kLevels) - std::abs(s);
    float penalty = 1 - 0.02f * float(std::abs(s));
    vf primary = lbp_sum[s + 2] * (penalty / float(n));
    float ps = r.spectrum_sum[s + 2];
    vf ter =
        ps > 0 ? hellinger<Isa>(sdot[s + 2] * inv_length<Isa>(sq[s + 2]) * (1 / std::sqrt(ps))) * penalty : splat(0);
    if (s == -2) {
      best_primary = primary, tertiary = ter;
    } else {
      auto better = Isa::gt(primary, best_primary);
      best_primary = sel(better, primary, best_primary);
      tertiary = sel(better, ter, tertiary);
    }
  }

  // Orientation: the best of the 12 circular shifts.
  vf acc[kOrientBins] = {}, o2{};
  float orient_inv = r.orient_inv;
  if constexpr (Isa::kIntegerDots) {
    vi iacc[kOrientBins] = {}, io2{};
#pragma GCC unroll 6
    for (unsigned m = 0; m < kOrientBins / 2; ++m) {
      vi q = Isa::pairs(b.orient[2 * m]);
      io2 = Isa::dot(io2, q, q);
#pragma GCC unroll 12
      for (unsigned k = 0; k < kOrientBins; ++k) iacc[k] = Isa::dot(iacc[k], q, vi{} + r.orient_pairs[k][m]);
    }
    for (unsigned k = 0; k < kOrientBins; ++k) acc[k] = __builtin_convertvector(iacc[k], vf);
    o2 = __builtin_convertvector(io2, vf);
    orient_inv = r.orient_inv_int;
  } else {
#pragma GCC unroll 12
    for (unsigned m = 0; m < kOrientBins; ++m) {
      vf q = Isa::bytes(b.orient[m]);
      o2 += q * q;
#pragma GCC unroll 12
      for (unsigned k = 0; k < kOrientBins; ++k) acc[k] += r.orient[k][m] * q;
    }
  }
  vf best = acc[0];
  for (unsigned k = 1; k < kOrientBins; ++k) best = Isa::max(best, acc[k]);
  vf secondary = hellinger<Isa>(best * orient_inv * inv_length<Isa>(o2));

  vf visual = (0.20f * colour[0] + 0.10f * colour[1] + 0.05f * colour[2] + 0.20f * best_primary + 0.10f * secondary +
               0.05f * tertiary) *
              (1 / 0.70f);
  for (unsigned i = 0; i < 3; ++i) std::memcpy(out.colour[i], &colour[i], sizeof(vf));
  std::memcpy(out.pattern[0], &best_primary, sizeof(vf));
  std::memcpy(out.pattern[1], &secondary, sizeof(vf));
  std::memcpy(out.pattern[2], &tertiary, sizeof(vf));
  std::memcpy(out.visual, &visual, sizeof(vf));
}

#ifdef K9_SCORER_SIMD
__attribute__((target("arch=x86-64-v4,avx512vnni"), flatten)) void score_block_avx512_vnni(const VectorBlock& b,
                                                                                           const Prepared& r,
                                                                                           LaneScores& out) {
  score_block<Avx512Vnni>(b, r, out);
}
__attribute__((target("arch=x86-64-v4"), flatten)) void score_block_avx512(const VectorBlock& b, const Prepared& r,
                                                                           LaneScores& out) {
  score_block<Avx512>(b, r, out);
}
__attribute__((target("arch=x86-64-v3"), flatten)) void score_block_avx2(const VectorBlock& b, const Prepared& r,
                                                                         LaneScores& out) {
  score_block<Avx2>(b, r, out);
}
#endif
__attribute__((flatten)) void score_block_generic(const VectorBlock& b, const Prepared& r, LaneScores& out) {
  score_block<Generic>(b, r, out);
}

}  // namespace

K9_CLONES void ciede2000_16(const vision::Lab& x, const float* yl, const float* ya, const float* yb, float kl,
                            float* out) {
  constexpr float k25_7 = 6103515625.f, kDeg = 3.14159265358979f / 180;
  vf l2, a, b2;
  std::memcpy(&l2, yl, sizeof l2), std::memcpy(&a, ya, sizeof a), std::memcpy(&b2, yb, sizeof b2);
  const float l1 = float(x.l), a0 = float(x.a), b1 = float(x.b);
  const float c1 = std::sqrt(a0 * a0 + b1 * b1);
  vf c2 = vsqrt(a * a + b2 * b2);
  vf cm = (c1 + c2) * 0.5f, cm2 = cm * cm, c7 = cm2 * cm2 * cm2 * cm;
  vf g = 0.5f * (1 - vsqrt(c7 / (c7 + k25_7)));
  vf a1 = (1 + g) * a0, a2 = (1 + g) * a;
  vf cp1 = vsqrt(a1 * a1 + b1 * b1), cp2 = vsqrt(a2 * a2 + b2 * b2);
  // Unit hue vectors; (0, 0) for a zero chroma (whose hue counts as 0 in the mean, as in the double code).
  vf i1 = sel(cp1 > 0, 1 / vmax(cp1, splat(1e-30f)), splat(0)),
     i2 = sel(cp2 > 0, 1 / vmax(cp2, splat(1e-30f)), splat(0));
  vf u1x = a1 * i1, u1y = b1 * i1, u2x = a2 * i2, u2y = b2 * i2;
  auto both = (cp1 * cp2) != 0;
  // dH = 2 sqrt(cp1 cp2) sin(dh / 2); |sin(dh / 2)| = half the chord, the sign that of dh.
  vf dx = u1x - u2x, dy = u1y - u2y, cross = u1x * u2y - u1y * u2x;
  vf half = 0.5f * vsqrt(dx * dx + dy * dy);
  half = sel(cross < 0, -half, half);
  vf dH = sel(both, 2 * vsqrt(cp1 * cp2) * half, splat(0));
  // Mean hue: the bisector (the short arc's), or the one hue when the other chroma is 0.
  vf wx = u1x + u2x, wy = u1y + u2y, wn = vsqrt(wx * wx + wy * wy);
  auto none = wn < 1e-6f;  // both chromas 0 (hue 0), or opposite hues (the + 90 degrees side)
  vf c = sel(none, sel(both, -u1y, splat(1)), wx / vmax(wn, splat(1e-30f)));
  vf s = sel(none, sel(both, u1x, splat(0)), wy / vmax(wn, splat(1e-30f)));
  vf cos2 = c * c - s * s, sin2 = 2 * c * s;
  vf cos3 = c * (4 * c * c - 3), sin3 = s * (3 - 4 * s * s);
  vf cos4 = cos2 * cos2 - sin2 * sin2, sin4 = 2 * sin2 * cos2;
  const float c30 = std::cos(30 * kDeg), s30 = std::sin(30 * kDeg), c6 = std::cos(6 * kDeg), s6 = std::sin(6 * kDeg);
  const float c63 = std::cos(63 * kDeg), s63 = std::sin(63 * kDeg), c275 = std::cos(275 * kDeg),
              s275 = std::sin(275 * kDeg);
  vf t = 1 - 0.17f * (c * c30 + s * s30) + 0.24f * cos2 + 0.32f * (cos3 * c6 - sin3 * s6) -
         0.20f * (cos4 * c63 + sin4 * s63);
  // h_mean - 275 as an angle in (-180, 180]: where it differs from the unwrapped one the exp is < 1e-5.
  vf d = vatan_deg(s * c275 - c * s275, c * c275 + s * s275) * (1.f / 25);
  vf d_theta = 30 * vexp_neg(-(d * d));
  vf cpm = (cp1 + cp2) * 0.5f, cpm2 = cpm * cpm, cp7 = cpm2 * cpm2 * cpm2 * cpm;
  vf rc = 2 * vsqrt(cp7 / (cp7 + k25_7));
  vf lm = (l1 + l2) * 0.5f - 50, l50 = lm * lm;
  vf sl = 1 + 0.015f * l50 / vsqrt(20 + l50), sc = 1 + 0.045f * cpm, sh = 1 + 0.015f * cpm * t;
  vf rt = -vsin_small(2 * d_theta * kDeg) * rc;
  vf tl = (l2 - l1) / (kl * sl), tc = (cp2 - cp1) / sc, th = dH / sh;
  vf e = vsqrt(vmax(splat(0), tl * tl + tc * tc + th * th + rt * tc * th));
  std::memcpy(out, &e, sizeof e);
}

BlockScorer block_scorer() {
  __builtin_cpu_init();
  if (const char* isa = std::getenv("K9_SCORER_ISA")) {
    std::string_view want = isa;
    if (want == "generic") return score_block_generic;
#ifdef K9_SCORER_SIMD
    if (want == "avx2") return score_block_avx2;
    if (want == "avx512") return score_block_avx512;
    if (want == "avx512vnni") return score_block_avx512_vnni;
#endif
  }
  // Feature by feature (the "x86-64-v3/v4" level names are GCC's only; clang builds this too).
  bool v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") &&
            __builtin_cpu_supports("bmi2");
  bool v4 = v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
            __builtin_cpu_supports("avx512cd");
#ifdef K9_SCORER_SIMD
  if (v4 && __builtin_cpu_supports("avx512vnni")) return score_block_avx512_vnni;
  if (v4) return score_block_avx512;
  if (v3) return score_block_avx2;
#else
  (void)v4;
#endif
  return score_block_generic;
}

}  // namespace k9::search::scoring
