#include "search/scorer.h"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <thread>

// GCC 12's AVX-512 intrinsics initialise their "undefined" operands from themselves, which
// -Wuninitialized reports at -O3 (a false positive, in the header).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

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
constexpr size_t kChunk = 2048;  // products scored together (their blocks' scores stay in cache)
using snap::VectorBlock;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

typedef float vf __attribute__((vector_size(64)));
typedef int32_t vi __attribute__((vector_size(64)));
typedef uint8_t vb __attribute__((vector_size(16)));
typedef uint16_t vh __attribute__((vector_size(32)));
static_assert(kLanes == 16);

// What one reference photo contributes, prepared once.
struct Prepared {
  float lbp[kLevels][kLbpBins];            // sqrt(p)
  float lbp_inv[kLevels];                  // 1 / sqrt(sum p), 0 for an empty level
  float orient[kOrientBins][kOrientBins];  // [shift][bin]: sqrt(p[(bin - shift) mod 12])
  float orient_inv;
  float spectrum[kLevels];  // sqrt(p)
  float spectrum_sum[5];    // sum of p over the overlapping levels of shift s - 2
  float share[kColours];
  const float* lut[kColours] = {};  // [i][palette code]: dE00 (kL = 2) of reference colour i to the entry
  // For integer dot products (Avx512Vnni): the same square roots as int16 pairs (bins 2m, 2m + 1
  // in the low, high half), scaled so that the largest is 32767; the *_inv_int fold 1 / scale in.
  int32_t lbp_pairs[kLevels][kLbpBins / 2];
  float lbp_inv_int[kLevels];
  int32_t orient_pairs[kOrientBins][kOrientBins / 2];  // [shift][pair]
  float orient_inv_int;
};

// Per lane (vector) of one block: colour and pattern scores and their visual match.
struct LaneScores {
  float colour[3][kLanes], pattern[3][kLanes], visual[kLanes];
};

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
// The kernels pass 16-lane vectors between functions compiled for other ISAs, which GCC
// allows and clang 14 refuses (an ABI change without avx512f): clang builds (the fuzzers) use
// the baseline kernel only. K9_SCORER_SIMD marks what GCC alone builds.
#if !defined(__clang__)
#define K9_SCORER_SIMD 1
#define K9_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define K9_CLONES
#endif
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

K9_CLONES void ciede2000_16(
    const Lab& x, const float* yl, const float* ya, const float* yb, float kl, float* out) {
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

using BlockScorer = void (*)(const VectorBlock&, const Prepared&, LaneScores&);
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
// The best the CPU runs; K9_SCORER_ISA=generic|avx2|avx512|avx512vnni forces one (to test them all
// on one machine: scorer_test.cc's tolerances hold for each).
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
    for (size_t m = 0; m < kOrientBins; ++m)
      p.orient[k][m] = std::sqrt(pos(v[kOrientOffset + (m + kOrientBins - k) % kOrientBins]));
  p.orient_inv = osum > 0 ? float(1 / std::sqrt(osum)) : 0;
  for (size_t i = 0; i < kLevels; ++i) p.spectrum[i] = std::sqrt(pos(v[kSpectrumOffset + i]));
  for (int s = -2; s <= 2; ++s) {
    double sum = 0;
    for (int i = 0; i < int(kLevels); ++i)
      if (i + s >= 0 && i + s < int(kLevels)) sum += pos(v[kSpectrumOffset + i]);
    p.spectrum_sum[s + 2] = float(sum);
  }
  for (size_t i = 0; i < kColours; ++i) p.share[i] = v[kColourOffset + i * kColourStride + 3];
  // Integer weights: each histogram's square roots scaled so that the largest is 32767.
  auto scale_of = [](const float* w, size_t count) {
    float top = 0;
    for (size_t k = 0; k < count; ++k) top = std::max(top, w[k]);
    return top > 0 ? 32767 / top : 1.f;
  };
  auto pair = [](float a, float b, float scale) {
    return int32_t(uint32_t(uint16_t(std::lround(a * scale))) | uint32_t(uint16_t(std::lround(b * scale))) << 16);
  };
  const float lbp_scale = scale_of(&p.lbp[0][0], kLevels * kLbpBins);
  for (size_t i = 0; i < kLevels; ++i) {
    for (size_t k = 0; k < kLbpBins / 2; ++k) p.lbp_pairs[i][k] = pair(p.lbp[i][2 * k], p.lbp[i][2 * k + 1], lbp_scale);
    p.lbp_inv_int[i] = p.lbp_inv[i] / lbp_scale;
  }
  const float orient_scale = scale_of(&p.orient[0][0], kOrientBins * kOrientBins);
  for (size_t k = 0; k < kOrientBins; ++k)
    for (size_t m = 0; m < kOrientBins / 2; ++m)
      p.orient_pairs[k][m] = pair(p.orient[k][2 * m], p.orient[k][2 * m + 1], orient_scale);
  p.orient_inv_int = p.orient_inv / orient_scale;
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
