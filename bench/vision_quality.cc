// Quality of k9-classic-1 retrieval on the demo catalog (docs/BENCHMARKS.md, "Visual
// analysis"). The catalog's own photos (shots 0..photos-1 of each product) are indexed as
// `k9 catalog import` would; each query is an unseen photo (a shot number the catalog never
// uses) of one product under one perturbation. For every perturbation: recall@1 and
// recall@10 of the true product, beside two baselines measured on the same queries: a plain
// RGB colour histogram (8x8x8 bins, histogram intersection) and random vectors (what the
// Python generation returned). Products are ranked by their best photo.
//
// Usage: k9_bench_vision_quality [--count N] [--seed S] [--save DIR] [--only PERTURBATION]
// (--save writes the first queries of each perturbation as JPEGs, to look at.)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>
#include <vector>

#include "catalog/demo/demo_catalog.h"
#include "codec/codec.h"
#include "vision/classic_extractor.h"
#include "vision/features.h"
#include "vision/scores.h"
#include "retrieval_kit.h"

using namespace k9;
using bench::colour_histogram, bench::intersection, bench::rank_of, bench::Recall;

namespace {

struct Query {
  std::string image;
  std::optional<std::string> mask = std::nullopt;
};

std::string jpeg(const cv::Mat& m, int quality = 90) { return codec::encode_jpeg(m, quality); }
std::string png(const cv::Mat& m) { return codec::encode_png(m); }

cv::Mat centre_crop_zoom(const cv::Mat& m, double zoom) {
  cv::Size size = m.size();
  int w = int(size.width / zoom), h = int(size.height / zoom);
  cv::Mat out;
  cv::resize(m(cv::Rect((size.width - w) / 2, (size.height - h) / 2, w, h)), out, size, 0, 0, cv::INTER_LINEAR);
  return out;
}

// The photo under light falling off 2:1 from left to right, times `exposure` / `over`.
cv::Mat fall_off(const cv::Mat& m, double exposure, double over) {
  cv::Mat f;
  m.convertTo(f, CV_32FC3);
  for (int y = 0; y < f.rows; ++y)
    for (int x = 0; x < f.cols; ++x) f.at<cv::Vec3f>(y, x) *= float(exposure * (1 - 0.5 * x / f.cols) / over);
  f.convertTo(f, CV_8UC3);
  return f;
}

struct Perturbation {
  const char* name;
  const char* what;
  std::function<Query(const cv::Mat&, std::mt19937&)> apply;
};

std::vector<Perturbation> perturbations() {
  return {
      {"none", "the unseen photo as taken", [](const cv::Mat& m, std::mt19937&) { return Query{jpeg(m)}; }},
      {"rotation", "turned 30-150 degrees (centre kept, corners cropped)",
       [](const cv::Mat& m, std::mt19937& g) {
         double a = std::uniform_real_distribution<>(30, 150)(g);
         cv::Mat r = cv::getRotationMatrix2D(cv::Point2f(m.cols / 2.f, m.rows / 2.f), a, 1.0), out;
         cv::warpAffine(m, out, r, m.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT);
         return Query{jpeg(centre_crop_zoom(out, 1.8))};
       }},
      {"scale", "1.6x nearer (centre crop enlarged)",
       [](const cv::Mat& m, std::mt19937&) { return Query{jpeg(centre_crop_zoom(m, 1.6))}; }},
      {"crop", "a random quarter of the photo",
       [](const cv::Mat& m, std::mt19937& g) {
         int w = m.cols / 2, h = m.rows / 2;
         int x = std::uniform_int_distribution<>(0, m.cols - w)(g), y = std::uniform_int_distribution<>(0, m.rows - h)(g);
         return Query{jpeg(m(cv::Rect(x, y, w, h)).clone())};
       }},
      {"perspective", "seen at a steep angle (one side 60% of the other)",
       [](const cv::Mat& m, std::mt19937&) {
         float w = float(m.cols), h = float(m.rows);
         cv::Point2f src[4] = {{0, 0}, {w, 0}, {w, h}, {0, h}};
         cv::Point2f dst[4] = {{w * 0.2f, 0}, {w * 0.8f, 0}, {w, h}, {0, h}};
         cv::Mat out;
         cv::warpPerspective(m, out, cv::getPerspectiveTransform(src, dst), m.size(), cv::INTER_LINEAR,
                             cv::BORDER_REFLECT);
         return Query{jpeg(out)};
       }},
      {"uneven light", "a 2:1 light fall-off across the photo, mean kept (as auto-exposure does)",
       [](const cv::Mat& m, std::mt19937&) { return Query{jpeg(fall_off(m, 1, 0.75))}; }},
      {"underexposed", "exposure 0.7 and a 2:1 fall-off: about -0.9 EV on average",
       [](const cv::Mat& m, std::mt19937&) { return Query{jpeg(fall_off(m, 0.7, 1))}; }},
      {"white balance", "warm cast: red x1.12, blue x0.88 (about 3000 K against 5000 K)",
       [](const cv::Mat& m, std::mt19937&) {
         cv::Mat out;
         cv::multiply(m, cv::Scalar(0.88, 1.0, 1.12), out);
         return Query{jpeg(out)};
       }},
      {"blur", "out of focus (Gaussian, sigma 2.5 px)",
       [](const cv::Mat& m, std::mt19937&) {
         cv::Mat out;
         cv::GaussianBlur(m, out, cv::Size(), 2.5);
         return Query{jpeg(out)};
       }},
      {"jpeg", "JPEG quality 12", [](const cv::Mat& m, std::mt19937&) { return Query{jpeg(m, 12)}; }},
      {"partial mask", "a mask marking a random ellipse of about 30% of the photo",
       [](const cv::Mat& m, std::mt19937& g) {
         cv::Mat mask(m.size(), CV_8U, cv::Scalar(0));
         cv::Point c(std::uniform_int_distribution<>(m.cols / 3, 2 * m.cols / 3)(g),
                     std::uniform_int_distribution<>(m.rows / 3, 2 * m.rows / 3)(g));
         cv::ellipse(mask, c, cv::Size(m.cols / 4, m.rows / 3), 20, 0, 360, cv::Scalar(255), cv::FILLED);
         return Query{jpeg(m), png(mask)};
       }},
  };
}

}  // namespace

int main(int argc, char** argv) {
  size_t count = 180;
  uint64_t seed = 1;
  std::string save, only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--count")) count = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seed")) seed = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--save")) save = argv[i + 1];
    if (!std::strcmp(argv[i], "--only")) only = argv[i + 1];
  }
  catalog::demo::DemoOptions options;
  options.count = count;
  options.seed = seed;
  catalog::demo::DemoCatalog demo(options);
  vision::ClassicExtractor extractor;
  auto started = std::chrono::steady_clock::now();

  std::vector<std::vector<std::vector<float>>> index(count), histograms(count);
  std::vector<cv::Mat> sheets(count);
  for (size_t i = 0; i < count; ++i) {
    sheets[i] = demo.sheet(i);
    for (int shot = 0; shot < options.photos; ++shot) {
      std::string bytes = jpeg(demo.photo(sheets[i], i, shot));
      index[i].push_back(extractor.extract({bytes}).vector);
      histograms[i].push_back(colour_histogram(bytes, std::nullopt));
    }
  }
  std::fprintf(stderr, "indexed %zu products x %d photos\n", count, options.photos);

  auto list = perturbations();
  std::mt19937 rng(seed * 7 + 1);
  std::printf("| perturbation | what | k9-classic-1 R@1 | R@10 | colour histogram R@1 | R@10 | random R@1 | R@10 |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  Recall total_k9, total_hist, total_rand;
  for (size_t p = 0; p < list.size(); ++p) {
    if (!only.empty() && only != list[p].name) continue;
    Recall k9, hist, rand;
    for (size_t i = 0; i < count; ++i) {
      cv::Mat photo = demo.photo(sheets[i], i, 1000 + p);  // never in the catalog
      Query q = list[p].apply(photo, rng);
      if (!save.empty() && i < 3)
        std::ofstream(save + "/" + std::to_string(i) + "-" + list[p].name + ".jpg", std::ios::binary) << q.image;
      vision::ExtractorInput input{q.image};
      if (q.mask) input.mask = *q.mask;
      auto f = extractor.extract(input).vector;
      auto h = colour_histogram(q.image, q.mask);
      std::vector<double> s_k9(count), s_hist(count), s_rand(count);
      std::uniform_real_distribution<> u(0, 1);
      for (size_t j = 0; j < count; ++j) {
        double best = -1, best_h = -1;
        for (size_t k = 0; k < index[j].size(); ++k) {
          best = std::max(best, vision::visual_match(vision::colour_scores(f, index[j][k]),
                                                     vision::pattern_scores(f, index[j][k])));
          best_h = std::max(best_h, intersection(h, histograms[j][k]));
        }
        s_k9[j] = best, s_hist[j] = best_h, s_rand[j] = u(rng);
      }
      k9.add(rank_of(s_k9, i)), hist.add(rank_of(s_hist, i)), rand.add(rank_of(s_rand, i));
      total_k9.add(rank_of(s_k9, i)), total_hist.add(rank_of(s_hist, i)), total_rand.add(rank_of(s_rand, i));
    }
    std::printf("| %s | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |\n", list[p].name, list[p].what, k9.r1(),
                k9.r10(), hist.r1(), hist.r10(), rand.r1(), rand.r10());
    std::fflush(stdout);
  }
  std::printf("| **all** | %zu queries over %zu products | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |\n", total_k9.n,
              count, total_k9.r1(), total_k9.r10(), total_hist.r1(), total_hist.r10(), total_rand.r1(),
              total_rand.r10());
  std::fprintf(stderr, "took %.0f s\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return 0;
}
