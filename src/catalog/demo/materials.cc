#include "catalog/demo/materials.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "catalog/demo/noise.h"

namespace k9::catalog::demo {

namespace {

cv::Scalar jitter(cv::Scalar c, cv::RNG& rng, double amount) {
  double k = 1 + rng.uniform(-amount, amount);
  return c * k;
}

cv::Mat rotated(const cv::Mat& m, double angle) {
  if (angle == 0) return m;
  cv::Mat r = cv::getRotationMatrix2D(cv::Point2f(m.cols / 2.f, m.rows / 2.f), angle, 1.0);
  cv::Mat out;
  cv::warpAffine(m, out, r, m.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT);
  return out;
}

// Wood: planks along x, each with its own grain phase and tone, dark seams, staggered ends.
cv::Mat wood(const Recipe& r, int side, cv::RNG& rng) {
  int plank_h = int(side / (4 + r.variant % 3) * r.scale);
  cv::Mat out(side, side, CV_32FC3);
  for (int top = 0; top < side; top += plank_h) {
    int h = std::min(plank_h, side - top);
    int length = int(side * rng.uniform(0.6, 1.3));
    for (int left = -rng.uniform(0, length); left < side; left += length) {
      int x0 = std::max(0, left), x1 = std::min(side, left + length);
      if (x1 <= x0) continue;
      cv::Size sz(x1 - x0, h);
      cv::Mat wobble = fbm(sz, 3, 3, rng, 8) * 6;
      cv::Mat streak = fbm(sz, 30, 2, rng, 12);
      double freq = rng.uniform(0.25, 0.45) / r.scale, phase = rng.uniform(0.0, 6.28);
      cv::Mat t(sz, CV_32F);
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < sz.width; ++x) {
          double ring = 0.5 + 0.5 * std::sin((y + wobble.at<float>(y, x) * 4) * freq + phase);
          t.at<float>(y, x) = float(0.65 * std::pow(ring, 3) + 0.35 * (0.5 + 0.5 * streak.at<float>(y, x)));
        }
      cv::Mat plank = blend(t, jitter(r.base, rng, 0.12), r.accent);
      cv::rectangle(plank, cv::Rect(0, 0, sz.width, sz.height), r.detail, 2);
      plank.copyTo(out(cv::Rect(x0, top, sz.width, h)));
    }
  }
  return rotated(out, r.angle);
}

// Marble: a light base, soft clouds and sharp turbulent veins.
cv::Mat marble(const Recipe& r, int side, cv::RNG& rng) {
  cv::Mat turb = fbm({side, side}, 4 / r.scale, 5, rng);
  cv::Mat cloud = fbm({side, side}, 3, 3, rng);
  double freq = rng.uniform(0.008, 0.016) / r.scale;
  cv::Mat vein(side, side, CV_32F), soft(side, side, CV_32F);
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      double v = std::abs(std::sin((x + y * 0.4) * freq * 3.14159 + turb.at<float>(y, x) * 5));
      vein.at<float>(y, x) = float(std::pow(1 - v, 10));
      soft.at<float>(y, x) = 0.5f + 0.5f * cloud.at<float>(y, x);
    }
  cv::Mat base = blend(soft * 0.5, r.base, r.detail);
  cv::Mat veins = blend(vein, cv::Scalar(0, 0, 0), r.accent - r.base);
  return rotated(base + veins, r.angle);
}

// Terrazzo: a fine-grained binder with angular chips of two or three colours.
cv::Mat terrazzo(const Recipe& r, int side, cv::RNG& rng) {
  cv::Mat grain = fbm({side, side}, side / 6.0, 2, rng);
  cv::Mat out = blend(grain * 0.25 + 0.5, jitter(r.base, rng, 0.03), r.base * 0.9);
  int chips = int((600 + 400 * (r.variant % 3)) / (r.scale * r.scale));
  const cv::Scalar colours[] = {r.accent, r.detail, (r.accent + r.detail) * 0.5};
  for (int i = 0; i < chips; ++i) {
    cv::Point2f c(rng.uniform(0.f, float(side)), rng.uniform(0.f, float(side)));
    float size = float(rng.uniform(3.0, 14.0) * r.scale);
    std::vector<cv::Point> poly;
    int corners = rng.uniform(3, 7);
    for (int k = 0; k < corners; ++k) {
      double a = 6.283 * k / corners + rng.uniform(-0.3, 0.3);
      double d = size * rng.uniform(0.5, 1.0);
      poly.emplace_back(int(c.x + d * std::cos(a)), int(c.y + d * std::sin(a)));
    }
    cv::fillPoly(out, std::vector<std::vector<cv::Point>>{poly}, jitter(colours[rng.uniform(0, 3)], rng, 0.08),
                 cv::LINE_AA);
  }
  return out;
}

// Slate: dark layered cleft with streaks and mineral tints.
cv::Mat slate(const Recipe& r, int side, cv::RNG& rng) {
  cv::Mat layers = fbm({side, side}, 6 / r.scale, 5, rng, 6);
  cv::Mat cleft = fbm({side, side}, 40 / r.scale, 3, rng, 4);
  cv::Mat tint = fbm({side, side}, 3, 2, rng);
  cv::Mat t = layers * 0.4 + cleft * 0.35 + 0.5;
  cv::Mat out = blend(t, r.base, r.accent);
  cv::Mat mineral = blend(tint * 0.5 + 0.5, cv::Scalar(0, 0, 0), (r.detail - r.base) * 0.5);
  return rotated(out + mineral, r.angle);
}

// Brick and tile: a grid of units (running bond for bricks), joints, per-unit colour.
cv::Mat units(const Recipe& r, int side, cv::RNG& rng, bool brick) {
  double unit_w = side / (brick ? 5.0 : 4.0 + r.variant % 4) * r.scale;
  double unit_h = brick ? unit_w / 3 : (r.variant % 2 ? unit_w / 2 : unit_w);
  int joint = std::max(3, int(unit_w / 18));
  cv::Mat out(side, side, CV_32FC3, r.detail);
  cv::Mat surface = fbm({side, side}, brick ? 40 : 12, 3, rng);
  int row = 0;
  for (double top = 0; top < side; top += unit_h, ++row) {
    double offset = brick ? (row % 2) * unit_w / 2 : (r.variant % 3 == 2 ? (row % 2) * unit_w / 2 : 0);
    for (double left = -offset; left < side; left += unit_w) {
      cv::Rect cell(int(left) + joint / 2, int(top) + joint / 2, int(unit_w) - joint, int(unit_h) - joint);
      cell &= cv::Rect(0, 0, side, side);
      if (cell.area() <= 0) continue;
      bool second = !brick && r.variant % 4 == 3 && (int(left / unit_w) + row) % 2;  // checkerboard
      cv::Scalar c = jitter(second ? r.accent : r.base, rng, brick ? 0.18 : 0.05);
      cv::Mat t = surface(cell) * (brick ? 0.35 : 0.12) + 0.5;
      blend(t, c * 1.1, brick ? r.accent * 0.9 : c * 0.9).copyTo(out(cell));
    }
  }
  return out;
}

// Granite-like stone: a mottled base with speckles of two colours.
cv::Mat stone(const Recipe& r, int side, cv::RNG& rng) {
  cv::Mat mottle = fbm({side, side}, 10 / r.scale, 4, rng);
  cv::Mat out = blend(mottle * 0.5 + 0.5, r.base, r.base * 0.8);
  cv::Mat speck_a = fbm({side, side}, 160 / r.scale, 1, rng), speck_b = fbm({side, side}, 200 / r.scale, 1, rng);
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      auto& p = out.at<cv::Vec3f>(y, x);
      if (speck_a.at<float>(y, x) > 0.4f) p = cv::Vec3f(r.accent[0], r.accent[1], r.accent[2]);
      else if (speck_b.at<float>(y, x) < -0.5f) p = cv::Vec3f(r.detail[0], r.detail[1], r.detail[2]);
    }
  return out;
}

// Woven fabric: warp and weft threads over and under each other (plain or twill).
cv::Mat fabric(const Recipe& r, int side, cv::RNG& rng) {
  double pitch = 10 * r.scale;
  bool twill = r.variant % 2;
  cv::Mat fuzz = fbm({side, side}, side / 4.0, 1, rng);
  cv::Mat out(side, side, CV_32FC3);
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      int cx = int(x / pitch), cy = int(y / pitch);
      bool warp_on_top = twill ? ((cx + cy) % 3 == 0) : ((cx + cy) % 2 == 0);
      double across = warp_on_top ? std::fmod(x, pitch) / pitch : std::fmod(y, pitch) / pitch;
      double shade = 0.55 + 0.45 * std::sin(across * 3.14159) + 0.08 * fuzz.at<float>(y, x);
      cv::Scalar c = (warp_on_top ? r.base : r.accent) * shade;
      out.at<cv::Vec3f>(y, x) = cv::Vec3f(c[0], c[1], c[2]);
    }
  return rotated(out, r.angle);
}

cv::Mat solid(const Recipe& r, int side, cv::RNG& rng) {
  cv::Mat n = fbm({side, side}, side / 3.0, 2, rng);
  return blend(n * 0.15 + 0.5, r.base * 1.03, r.base * 0.97);
}

}  // namespace

const char* family_name(Family f) {
  static const char* names[] = {"wood planks", "marble", "terrazzo", "slate", "brick", "tile", "stone", "woven fabric", "solid colour"};
  return names[int(f)];
}

cv::Mat render_material(const Recipe& r, int side) {
  cv::RNG rng(r.seed * 2654435761u + 17);
  cv::Mat f;
  switch (r.family) {
    case Family::wood_planks: f = wood(r, side, rng); break;
    case Family::marble: f = marble(r, side, rng); break;
    case Family::terrazzo: f = terrazzo(r, side, rng); break;
    case Family::slate: f = slate(r, side, rng); break;
    case Family::brick: f = units(r, side, rng, true); break;
    case Family::tile: f = units(r, side, rng, false); break;
    case Family::stone: f = stone(r, side, rng); break;
    case Family::fabric: f = fabric(r, side, rng); break;
    case Family::solid: f = solid(r, side, rng); break;
  }
  cv::Mat out;
  f.convertTo(out, CV_8UC3);
  return out;
}

}  // namespace k9::catalog::demo
