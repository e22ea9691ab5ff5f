#include "vision/scores.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <string>

#include "vision/features.h"

namespace k9::vision {

namespace {

constexpr double kPi = std::numbers::pi;
double deg(double r) { return r * 180 / kPi; }
double rad(double d) { return d * kPi / 180; }

Lab colour_at(std::span<const float> v, size_t i) {
  const float* c = v.data() + kColourOffset + i * kColourStride;
  return {c[0], c[1], c[2]};
}
double share_at(std::span<const float> v, size_t i) { return v[kColourOffset + i * kColourStride + 3]; }

std::string normalised(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  std::string out = b == std::string::npos ? "" : s.substr(b, e - b + 1);
  for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<double> equal_score(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (!a || !b || normalised(*a).empty() || normalised(*b).empty()) return std::nullopt;
  return normalised(*a) == normalised(*b) ? 1.0 : 0.0;
}

std::optional<double> to_mm(const std::optional<Dimension>& d, bool& unitless) {
  if (!d) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(d->val.text.c_str(), &end);
  if (!std::isfinite(v) || v <= 0) return std::nullopt;
  unitless = d->unit == "none";
  if (d->unit == "in") return v * 25.4;
  return v;  // mm, or unitless
}

std::optional<double> dimension_score(const std::optional<Dimension>& a, const std::optional<Dimension>& b) {
  bool ua = false, ub = false;
  auto x = to_mm(a, ua), y = to_mm(b, ub);
  if (!x || !y || ua != ub) return std::nullopt;
  return std::min(*x, *y) / std::max(*x, *y);
}

double mean_present(const ShapeScores& s) {
  double sum = 0;
  int n = 0;
  for (auto& v : {s.length, s.width, s.thickness})
    if (v) sum += *v, ++n;
  return n ? sum / n : -1;
}

}  // namespace

double ciede2000(const Lab& x, const Lab& y, double kl) {
  // CIEDE2000 (Sharma, Wu, Dalal 2005), kC = kH = 1.
  double c1 = std::hypot(x.a, x.b), c2 = std::hypot(y.a, y.b);
  double c_mean = (c1 + c2) / 2;
  double c7 = std::pow(c_mean, 7);
  double g = 0.5 * (1 - std::sqrt(c7 / (c7 + std::pow(25.0, 7))));
  double a1 = (1 + g) * x.a, a2 = (1 + g) * y.a;
  double cp1 = std::hypot(a1, x.b), cp2 = std::hypot(a2, y.b);
  auto hue = [](double b, double a) {
    if (a == 0 && b == 0) return 0.0;
    double h = deg(std::atan2(b, a));
    return h < 0 ? h + 360 : h;
  };
  double h1 = hue(x.b, a1), h2 = hue(y.b, a2);
  double dl = y.l - x.l, dc = cp2 - cp1;
  double dh = 0;
  if (cp1 * cp2 != 0) {
    dh = h2 - h1;
    if (dh > 180) dh -= 360;
    else if (dh < -180) dh += 360;
  }
  double dH = 2 * std::sqrt(cp1 * cp2) * std::sin(rad(dh / 2));
  double l_mean = (x.l + y.l) / 2, cp_mean = (cp1 + cp2) / 2;
  double h_mean = h1 + h2;
  if (cp1 * cp2 != 0) {
    if (std::abs(h1 - h2) <= 180) h_mean = (h1 + h2) / 2;
    else h_mean = (h1 + h2 < 360) ? (h1 + h2 + 360) / 2 : (h1 + h2 - 360) / 2;
  }
  double t = 1 - 0.17 * std::cos(rad(h_mean - 30)) + 0.24 * std::cos(rad(2 * h_mean)) +
             0.32 * std::cos(rad(3 * h_mean + 6)) - 0.20 * std::cos(rad(4 * h_mean - 63));
  double d_theta = 30 * std::exp(-std::pow((h_mean - 275) / 25, 2));
  double cp7 = std::pow(cp_mean, 7);
  double rc = 2 * std::sqrt(cp7 / (cp7 + std::pow(25.0, 7)));
  double l50 = (l_mean - 50) * (l_mean - 50);
  double sl = 1 + 0.015 * l50 / std::sqrt(20 + l50);
  double sc = 1 + 0.045 * cp_mean;
  double sh = 1 + 0.015 * cp_mean * t;
  double rt = -std::sin(rad(2 * d_theta)) * rc;
  double tl = dl / (kl * sl), tc = dc / sc, th = dH / sh;
  return std::sqrt(tl * tl + tc * tc + th * th + rt * tc * th);
}

double colour_similarity(double delta_e) { return 1 / (1 + (delta_e / 10) * (delta_e / 10)); }

double hellinger_similarity(std::span<const float> p, std::span<const float> q) {
  double bc = 0;
  for (size_t i = 0; i < p.size() && i < q.size(); ++i) bc += std::sqrt(std::max(0.f, p[i]) * std::max(0.f, q[i]));
  return 1 - std::sqrt(std::max(0.0, 1 - std::min(1.0, bc)));
}

ColourScores colour_scores(std::span<const float> ref, std::span<const float> prod) {
  std::array<std::array<double, kColours>, kColours> de{};
  for (size_t i = 0; i < kColours; ++i)
    for (size_t j = 0; j < kColours; ++j) de[i][j] = ciede2000(colour_at(ref, i), colour_at(prod, j), kColourLightnessWeight);
  std::array<size_t, kColours> perm{0, 1, 2}, best = perm;
  double best_cost = INFINITY;
  do {
    double cost = 0;
    for (size_t i = 0; i < kColours; ++i) cost += (share_at(ref, i) + share_at(prod, perm[i])) * de[i][perm[i]];
    if (cost < best_cost) best_cost = cost, best = perm;
  } while (std::next_permutation(perm.begin(), perm.end()));
  return {colour_similarity(de[0][best[0]]), colour_similarity(de[1][best[1]]), colour_similarity(de[2][best[2]])};
}

PatternScores pattern_scores(std::span<const float> ref, std::span<const float> prod) {
  PatternScores out;
  double best_primary = -1;
  for (int s = -2; s <= 2; ++s) {
    double lbp = 0;
    int n = 0;
    std::array<float, kLevels> ps{}, qs{};
    double psum = 0, qsum = 0;
    for (int i = 0; i < int(kLevels); ++i) {
      int j = i + s;
      if (j < 0 || j >= int(kLevels)) continue;
      lbp += hellinger_similarity(ref.subspan(kLbpOffset + i * kLbpBins, kLbpBins),
                                  prod.subspan(kLbpOffset + j * kLbpBins, kLbpBins));
      ps[n] = ref[kSpectrumOffset + i], qs[n] = prod[kSpectrumOffset + j];
      psum += ps[n], qsum += qs[n];
      ++n;
    }
    double penalty = 1 - 0.02 * std::abs(s);
    double primary = lbp / n * penalty;
    if (primary > best_primary) {
      best_primary = primary;
      for (int k = 0; k < n; ++k) ps[k] = float(ps[k] / std::max(psum, 1e-12)), qs[k] = float(qs[k] / std::max(qsum, 1e-12));
      out.primary = primary;
      out.tertiary = hellinger_similarity(std::span(ps.data(), n), std::span(qs.data(), n)) * penalty;
    }
  }
  auto p = ref.subspan(kOrientOffset, kOrientBins);
  std::array<float, kOrientBins> rolled{};
  for (size_t k = 0; k < kOrientBins; ++k) {
    for (size_t i = 0; i < kOrientBins; ++i) rolled[i] = prod[kOrientOffset + (i + k) % kOrientBins];
    out.secondary = std::max(out.secondary, hellinger_similarity(p, rolled));
  }
  return out;
}

TypeScores type_scores(const Category& ref, const Category& prod) {
  return {equal_score(ref.type, prod.type), equal_score(ref.material, prod.material)};
}

ShapeScores shape_scores(const std::vector<Format>& ref, const std::vector<Format>& prod) {
  ShapeScores best;
  if (ref.empty()) return best;
  double best_mean = -1;
  for (auto& f : prod) {
    ShapeScores s{dimension_score(ref[0].length, f.length), dimension_score(ref[0].width, f.width),
                  dimension_score(ref[0].thickness, f.thickness)};
    double m = mean_present(s);
    if (m > best_mean) best_mean = m, best = s;
  }
  return best;
}

void set_match(Scores& s) {
  double sum = 0, weight = 0;
  auto add = [&](const std::optional<double>& v, double w) {
    if (v) sum += *v * w, weight += w;
  };
  if (s.colour) add(s.colour->primary, 0.20), add(s.colour->secondary, 0.10), add(s.colour->tertiary, 0.05);
  if (s.pattern) add(s.pattern->primary, 0.20), add(s.pattern->secondary, 0.10), add(s.pattern->tertiary, 0.05);
  add(s.type.type, 0.10), add(s.type.material, 0.05);
  add(s.shape.length, 0.05), add(s.shape.width, 0.05), add(s.shape.thickness, 0.05);
  s.match = weight > 0 ? std::optional<double>(sum / weight) : std::nullopt;
}

double visual_match(const ColourScores& c, const PatternScores& p) {
  Scores s;
  s.colour = c;
  s.pattern = p;
  set_match(s);
  return *s.match;
}

}  // namespace k9::vision
