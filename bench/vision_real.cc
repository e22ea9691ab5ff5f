// Retrieval quality on photographed material textures that no one on K9 drew (issue 19;
// docs/BENCHMARKS.md, "Real textures"). The set comes from bench/real_textures.sh (a Debian
// package's textures, checked against bench/real_textures.txt, cached outside the repository).
//
// Catalog: every texture in four colourways (phone_photo.h), each a product with one catalog
// photo, of the texture's top half. Queries: for every product and every degradation below,
// one phone photo (phone_photo.h) of the texture's bottom half, so that, as with a real
// product, the catalog's scan and the user's photo show two pieces of one material and never
// the same pixels; a fresh framing each time. Ranked against the whole catalog by
// k9-classic-1 and k9-classic-2 (vision::ClassicExtractor of each recipe, products ranked by
// vision::visual_match as in vision_quality.cc), the scale step's experiment beside them
// (k9-classic-2+scale, pattern.h; not a model version: it also prints how the dominant-period
// estimate of a photo agrees with its catalog scan's) and, in the same run on the same photos and
// masks, by a plain colour histogram. Per degradation: recall@1 (the product), pattern recall@1 (the right texture in
// any colourway first) and recall@10 (the product in the first ten); then, per version, what its
// misses at rank 1 were, and its pattern recall@1 when ranking by its pattern scores alone
// and by its colour scores alone (which part fails). Deterministic: every photo's randomness comes from (seed, texture,
// colourway, degradation), so --threads changes nothing but the time.
//
// Usage: k9_bench_vision_real [--set DIR] [--textures N] [--seed S] [--threads T]
//                             [--only DEGRADATION[,DEGRADATION...]] [--save DIR]
//                             [--c2-blur S] [--c2-colour-blur S] [--c2-threshold T]
//                             [--c2-relative 0|1] [--c2-cast L]   (a k9-classic-2 variant to try)
//                             [--scale-period P] [--scale-min F] [--scale-max F]   (the scale
//                             [--scale-prominence R]   (the scale step's column,
//                             k9-classic-2+scale: period 24 px within 0.7..1.4x unless told)
//        k9_bench_vision_real --choose [--sheet PNG] FILE...   (keep or why not, the look test's
//        figures, FILE; the sheet shows the kept textures)
//   --set: the folder bench/real_textures.sh prints (default ~/.cache/k9-textures/set);
//   --threads: 2 unless told; --textures: the first N textures only; --save: the first texture's photos (as PNG, to look at).
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <opencv2/imgproc.hpp>
#ifdef K9_RERANK
#include <opencv2/calib3d.hpp>
#include <opencv2/features2d.hpp>
#endif
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "codec/codec.h"
#include "phone_photo.h"
#include "retrieval_kit.h"
#include "vision/classic_extractor.h"
#include "vision/scores.h"

using namespace k9;
using namespace k9::bench;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The file's pixels as 8-bit BGR (alpha returned apart, empty when none).
cv::Mat load(const fs::path& path, cv::Mat* alpha = nullptr) {
  std::string bytes = read_file(path);
  bool png = bytes.size() > 4 && bytes.compare(1, 3, "PNG") == 0;
  cv::Mat m = png ? codec::decode_png(bytes).pixels : codec::decode_jpeg(bytes).pixels;
  if (m.depth() == CV_16U) m.convertTo(m, CV_8U, 1 / 257.0);
  if ((m.channels() == 2 || m.channels() == 4) && alpha) cv::extractChannel(m, *alpha, m.channels() - 1);
  if (m.channels() == 2) {
    cv::Mat grey;
    cv::extractChannel(m, grey, 0);
    m = grey;
  }
  if (m.channels() == 1) cv::cvtColor(m, m, cv::COLOR_GRAY2BGR);
  if (m.channels() == 4) cv::cvtColor(m, m, cv::COLOR_BGRA2BGR);
  return m;
}

// ---- Choosing the set: does a file look like a photographed, uniform material texture? ----

struct Look {
  const char* verdict = "keep";  // or why not
  double cells = 0;    // largest CIE76 distance of a 4x4 cell's mean colour from the whole's
  double border = 0;   // the same for the four edge bands (5% wide): a frame, a strip, a rim
  double detail = 0;   // mean |Laplacian| of the grey image at 256 px (8-bit levels)
  int colours = 0;     // distinct colours at 6 bits per channel, at 256 px
  double flat = 0;     // share of full-resolution pixels equal to both right and lower neighbours
};

Look look(const cv::Mat& bgr, const cv::Mat& alpha) {
  Look l;
  cv::Mat small, lab, grey, lap;
  cv::resize(bgr, small, cv::Size(256, 256), 0, 0, cv::INTER_AREA);
  small.convertTo(lab, CV_32FC3, 1 / 255.0);
  cv::cvtColor(lab, lab, cv::COLOR_BGR2Lab);
  cv::Scalar whole = cv::mean(lab);
  auto distance = [&](cv::Rect r) {
    cv::Scalar m = cv::mean(lab(r));
    return std::sqrt(std::pow(m[0] - whole[0], 2) + std::pow(m[1] - whole[1], 2) + std::pow(m[2] - whole[2], 2));
  };
  for (int cy = 0; cy < 4; ++cy)
    for (int cx = 0; cx < 4; ++cx) l.cells = std::max(l.cells, distance(cv::Rect(cx * 64, cy * 64, 64, 64)));
  for (cv::Rect band : {cv::Rect(0, 0, 256, 12), cv::Rect(0, 244, 256, 12), cv::Rect(0, 0, 12, 256), cv::Rect(244, 0, 12, 256)})
    l.border = std::max(l.border, distance(band));
  cv::cvtColor(small, grey, cv::COLOR_BGR2GRAY);
  cv::Laplacian(grey, lap, CV_32F);
  l.detail = cv::mean(cv::abs(lap))[0];
  std::vector<bool> seen(1 << 18);
  for (auto it = small.begin<cv::Vec3b>(); it != small.end<cv::Vec3b>(); ++it) {
    size_t key = size_t((*it)[0] >> 2) << 12 | size_t((*it)[1] >> 2) << 6 | size_t((*it)[2] >> 2);
    l.colours += !seen[key];
    seen[key] = true;
  }
  size_t flat = 0;
  for (int y = 0; y + 1 < bgr.rows; ++y)
    for (int x = 0; x + 1 < bgr.cols; ++x)
      flat += bgr.at<cv::Vec3b>(y, x) == bgr.at<cv::Vec3b>(y, x + 1) && bgr.at<cv::Vec3b>(y, x) == bgr.at<cv::Vec3b>(y + 1, x);
  l.flat = double(flat) / (double(bgr.rows - 1) * (bgr.cols - 1));
  if (!alpha.empty() && cv::countNonZero(alpha < 250) > 0) l.verdict = "transparent";
  else if (std::min(bgr.cols, bgr.rows) < 256) l.verdict = "small";
  else if (l.cells > 16) l.verdict = "not-uniform";  // an atlas, a scene or a gradient
  else if (l.border > 20) l.verdict = "framed";      // a road's verge, a trim, a strip
  else if (l.detail < 3) l.verdict = "featureless";
  else if (l.colours < 64 || l.flat > 0.05) l.verdict = "drawn";  // posterised, flat fills
  return l;
}

// --choose [--sheet PNG] FILE...: the verdict per file; the sheet shows the kept ones, 128 px each.
int choose(int argc, char** argv, int first) {
  std::string sheet_path;
  if (first + 1 < argc && !std::strcmp(argv[first], "--sheet")) sheet_path = argv[first + 1], first += 2;
  std::vector<cv::Mat> kept, prints;  // prints: 32x32 thumbnails of the kept, for duplicates
  for (int i = first; i < argc; ++i) {
    cv::Mat alpha;
    cv::Mat m = load(argv[i], &alpha);
    Look l = look(m, alpha);
    cv::Mat print;
    cv::resize(m, print, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
    print.convertTo(print, CV_32FC3);
    for (auto& p : prints)  // the same picture at another size or compression
      if (!std::strcmp(l.verdict, "keep") && cv::norm(print, p, cv::NORM_L1) / (32 * 32 * 3) < 6) l.verdict = "duplicate";
    if (!std::strcmp(l.verdict, "keep")) prints.push_back(print);
    std::printf("%s %dx%d cells=%.1f border=%.1f detail=%.1f colours=%d flat=%.3f %s\n", l.verdict, m.cols, m.rows,
                l.cells, l.border, l.detail, l.colours, l.flat, argv[i]);
    if (!sheet_path.empty() && !std::strcmp(l.verdict, "keep")) {
      cv::Mat thumb;
      cv::resize(m, thumb, cv::Size(128, 128), 0, 0, cv::INTER_AREA);
      kept.push_back(thumb);
    }
  }
  if (!kept.empty()) {
    int across = 12, down = int((kept.size() + across - 1) / across);
    cv::Mat sheet(down * 128, across * 128, CV_8UC3, cv::Scalar(255, 255, 255));
    for (size_t k = 0; k < kept.size(); ++k) kept[k].copyTo(sheet(cv::Rect(int(k % across) * 128, int(k / across) * 128, 128, 128)));
    std::ofstream(sheet_path, std::ios::binary) << codec::encode_png(sheet);
  }
  return 0;
}

// ---- The benchmark ----

struct Degradation {
  const char* name;
  const char* what;
  std::function<void(PhoneShot&, std::mt19937_64&)> set;
};

double uniform(std::mt19937_64& g, double a, double b) { return std::uniform_real_distribution<>(a, b)(g); }

cv::RotatedRect product_region(std::mt19937_64& g) {
  return cv::RotatedRect(cv::Point2f(float(uniform(g, 0.4, 0.6)), float(uniform(g, 0.4, 0.6))),
                         cv::Size2f(float(uniform(g, 0.5, 0.7)), float(uniform(g, 0.55, 0.8))),
                         float(uniform(g, -25, 25)));
}

std::vector<Degradation> degradations() {
  return {
      {"none", "a fresh framing, front-on, as in the catalog", [](PhoneShot&, std::mt19937_64&) {}},
      {"turned", "turned 0-360 degrees", [](PhoneShot& s, std::mt19937_64& g) { s.turn = uniform(g, 0, 360); }},
      {"scale", "0.7-1.4x the catalog's scale", [](PhoneShot& s, std::mt19937_64& g) {
         s.scale = std::exp(uniform(g, std::log(0.7), std::log(1.4)));
       }},
      {"perspective", "seen at an angle: far edge 0.55-0.8 of the near one, any direction",
       [](PhoneShot& s, std::mt19937_64& g) {
         s.keystone = uniform(g, 0.55, 0.8), s.keystone_direction = uniform(g, 0, 360);
       }},
      {"white balance", "a cast of up to 10% per channel (linear light)", [](PhoneShot& s, std::mt19937_64& g) {
         s.cast = {uniform(g, 0.9, 1.1), uniform(g, 0.9, 1.1), uniform(g, 0.9, 1.1)};
       }},
      {"uneven light", "a 1.5-2.5:1 light gradient and 30% vignetting, mean kept", [](PhoneShot& s, std::mt19937_64& g) {
         s.light_ratio = uniform(g, 1.5, 2.5), s.light_direction = uniform(g, 0, 360), s.vignette = 0.3;
       }},
      {"blur", "out of focus, Gaussian sigma 1-2.5 px", [](PhoneShot& s, std::mt19937_64& g) {
         s.blur = uniform(g, 1, 2.5);
       }},
      {"noise", "sensor noise, sigma 4-10 levels", [](PhoneShot& s, std::mt19937_64& g) {
         s.noise = uniform(g, 4, 10);
       }},
      {"jpeg", "JPEG quality 20-45", [](PhoneShot& s, std::mt19937_64& g) {
         s.quality = int(uniform(g, 20, 45));
       }},
      {"other material", "lying on another texture, a mask marking the product (50-70% of the frame)",
       [](PhoneShot& s, std::mt19937_64& g) { s.region = product_region(g); }},
      {"phone", "all at once, milder: turned, 0.7-1.4x, far edge 0.7-1, cast 10%, light 1-2:1, blur 0-1.5, "
                "noise 1-5, JPEG 70-95, on another material half the time",
       [](PhoneShot& s, std::mt19937_64& g) {
         s.turn = uniform(g, 0, 360);
         s.scale = std::exp(uniform(g, std::log(0.7), std::log(1.4)));
         s.keystone = uniform(g, 0.7, 1), s.keystone_direction = uniform(g, 0, 360);
         s.cast = {uniform(g, 0.9, 1.1), uniform(g, 0.9, 1.1), uniform(g, 0.9, 1.1)};
         s.light_ratio = uniform(g, 1, 2), s.light_direction = uniform(g, 0, 360), s.vignette = 0.2;
         s.blur = uniform(g, 0, 1.5), s.noise = uniform(g, 1, 5), s.quality = int(uniform(g, 70, 95));
         if (uniform(g, 0, 1) < 0.5) s.region = product_region(g);
       }},
  };
}

// Per photo: the vectors of the two classic model versions and of the bench-only scale
// experiment (k9-classic-2 with the scale step, pattern.h; not a model version), and the histogram.
inline constexpr int kVersions = 3;
struct Vectors {
  std::vector<float> k9[kVersions], histogram;
};
inline constexpr const char* kVersionNames[kVersions] = {"k9-classic-1", "k9-classic-2", "k9-classic-2+scale"};

struct Options {
  fs::path set = fs::path(std::getenv("HOME") ? std::getenv("HOME") : ".") / ".cache/k9-textures/set";
  size_t textures = 0;  // 0: all
  uint64_t seed = 1;
  unsigned threads = 2;  // the machine's two cores: about 3.5 minutes for the 110 textures
  std::vector<std::string> only;  // degradations, all when empty
  std::string save;
  vision::ClassicRecipe classic_2 = vision::classic_2_recipe();  // --c2-* change it, to try a variant
  vision::ClassicRecipe scaled = [] {  // k9-classic-2 + the scale step; --scale-* change it
    auto r = vision::classic_2_recipe();
    r.model_version = "k9-classic-2+scale";
    r.pattern.scale_period = 24;  // about the catalog's median period at 512 px (the run prints it)
    r.pattern.scale_min = 0.7, r.pattern.scale_max = 1.4;  // the sweep's best (docs/VISION.md)
    return r;
  }();
};

std::vector<std::pair<std::string, cv::Mat>> load_set(const Options& o) {
  std::vector<fs::path> files;
  if (!fs::is_directory(o.set)) {
    std::fprintf(stderr, "vision_real: no set at %s (run bench/real_textures.sh)\n", o.set.c_str());
    std::exit(2);
  }
  for (auto& e : fs::directory_iterator(o.set)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (o.textures && files.size() > o.textures) files.resize(o.textures);
  std::vector<std::pair<std::string, cv::Mat>> set;
  for (auto& f : files) {
    cv::Mat m = load(f);
    if (std::max(m.cols, m.rows) > 1024) {  // enough for 1.4x at kFrame; bounds the memory
      double s = 1024.0 / std::max(m.cols, m.rows);
      cv::resize(m, m, cv::Size(), s, s, cv::INTER_AREA);
    }
    set.emplace_back(f.filename().string(), m);
  }
  return set;
}

uint64_t mix(uint64_t a, uint64_t b) { return (a ^ (b + 0x9e3779b97f4a7c15ull + (a << 6) + (a >> 2))) * 0xff51afd7ed558ccdull; }

// Per degradation and model version: recalls, and the misses at rank 1 by kind.
struct Tally {
  Recall recall;
  size_t pattern = 0;  // pattern recall@1: the right texture, in any colourway, first
  size_t near_pair = 0, other_colourway = 0, other_texture = 0;  // misses
  // Pattern recall@1 when ranking by the pattern scores alone, by the colour scores alone.
  size_t pattern_alone = 0, colour_alone = 0;
  void add(const Tally& t) {
    recall.at1 += t.recall.at1, recall.at10 += t.recall.at10, recall.n += t.recall.n;
    pattern += t.pattern, near_pair += t.near_pair, other_colourway += t.other_colourway;
    other_texture += t.other_texture, pattern_alone += t.pattern_alone, colour_alone += t.colour_alone;
  }
};

// 1 when the product ranked first (ties in the truth's favour) is of the truth's texture.
size_t right_texture(const std::vector<double>& scores, size_t truth) {
  size_t top = size_t(std::max_element(scores.begin(), scores.end()) - scores.begin());
  return scores[top] <= scores[truth] || top / kColourways == truth / kColourways;
}

// Ranks the catalog for one query by one model version's vectors (`v`) into `t`.
void rank(const Vectors& q, const std::vector<Vectors>& catalog, int v, size_t truth, Tally& t) {
  size_t products = catalog.size();
  std::vector<double> match(products), pattern(products), colour(products);
  for (size_t j = 0; j < products; ++j) {
    auto cs = vision::colour_scores(q.k9[v], catalog[j].k9[v]);
    auto ps = vision::pattern_scores(q.k9[v], catalog[j].k9[v]);
    match[j] = vision::visual_match(cs, ps);
    pattern[j] = vision::visual_match({}, ps), colour[j] = vision::visual_match(cs, {});
  }
  size_t top = size_t(std::max_element(match.begin(), match.end()) - match.begin());
  t.recall.add(rank_of(match, truth));
  t.pattern += right_texture(match, truth);
  t.pattern_alone += right_texture(pattern, truth), t.colour_alone += right_texture(colour, truth);
  if (match[top] > match[truth]) {
    size_t a = truth % kColourways, b = top % kColourways;
    if (top / kColourways != truth / kColourways) ++t.other_texture;
    else if (a + b == 1) ++t.near_pair;  // original <-> near hue
    else ++t.other_colourway;
  }
}


#ifdef K9_RERANK
// Issue 19's second stage, as an experiment (built only where OpenCV's features2d and calib3d
// are installed; bench/CMakeLists.txt): AKAZE features of a photo's grey image at the working
// side (the mask's material only), and the RANSAC homography inliers of ratio-tested matches.
struct Local {
  std::vector<cv::KeyPoint> points;
  cv::Mat descriptors;
};

Local local_features(const std::string& jpeg, const std::optional<std::string>& mask_png) {
  cv::Mat bgr = codec::decode_jpeg(jpeg).pixels, grey, mask;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  double f = double(vision::kWorkingSide) / std::max(grey.cols, grey.rows);
  if (f < 1) cv::resize(grey, grey, cv::Size(), f, f, cv::INTER_AREA);
  if (mask_png) {
    cv::Mat m = codec::decode_png(*mask_png).pixels;
    if (m.channels() > 1) cv::cvtColor(m, m, cv::COLOR_BGR2GRAY);
    cv::resize(m, mask, grey.size(), 0, 0, cv::INTER_NEAREST);
  }
  Local l;
  cv::AKAZE::create()->detectAndCompute(grey, mask, l.points, l.descriptors);
  return l;
}

int inliers(const Local& a, const Local& b) {
  if (a.descriptors.rows < 8 || b.descriptors.rows < 8) return 0;
  std::vector<std::vector<cv::DMatch>> knn;
  cv::BFMatcher(cv::NORM_HAMMING).knnMatch(a.descriptors, b.descriptors, knn, 2);
  std::vector<cv::Point2f> pa, pb;
  for (auto& m : knn)
    if (m.size() == 2 && m[0].distance < 0.8f * m[1].distance)
      pa.push_back(a.points[m[0].queryIdx].pt), pb.push_back(b.points[m[0].trainIdx].pt);
  if (pa.size() < 8) return 0;
  std::vector<unsigned char> in;
  cv::findHomography(pa, pb, cv::RANSAC, 5.0, in);
  return int(std::count(in.begin(), in.end(), 1));
}
#endif

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && !std::strcmp(argv[1], "--choose")) return choose(argc, argv, 2);
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--set")) o.set = argv[i + 1];
    if (!std::strcmp(argv[i], "--textures")) o.textures = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seed")) o.seed = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--threads")) o.threads = unsigned(std::max(1, std::stoi(argv[i + 1])));
    if (!std::strcmp(argv[i], "--only")) {
      std::stringstream list(argv[i + 1]);
      for (std::string name; std::getline(list, name, ',');) o.only.push_back(name);
    }
    if (!std::strcmp(argv[i], "--c2-blur")) o.classic_2.pattern.pre_blur = std::stod(argv[i + 1]);
    if (!std::strcmp(argv[i], "--c2-threshold")) o.classic_2.pattern.lbp_threshold = std::stod(argv[i + 1]);
    if (!std::strcmp(argv[i], "--c2-relative")) o.classic_2.pattern.contrast_relative = std::stoi(argv[i + 1]) != 0;
    if (!std::strcmp(argv[i], "--c2-cast")) o.classic_2.cast_limit = std::stod(argv[i + 1]);
    if (!std::strcmp(argv[i], "--c2-colour-blur")) o.classic_2.colour_blur = std::stod(argv[i + 1]);
    if (!std::strcmp(argv[i], "--scale-period")) o.scaled.pattern.scale_period = std::stod(argv[i + 1]);
    if (!std::strcmp(argv[i], "--scale-min")) o.scaled.pattern.scale_min = std::stod(argv[i + 1]);
    if (!std::strcmp(argv[i], "--scale-max")) o.scaled.pattern.scale_max = std::stod(argv[i + 1]);
    if (!std::strcmp(argv[i], "--scale-prominence")) o.scaled.pattern.scale_prominence = std::stod(argv[i + 1]);
    if (!std::strcmp(argv[i], "--save")) o.save = argv[i + 1];
  }
  auto started = std::chrono::steady_clock::now();
  auto set = load_set(o);
  const size_t textures = set.size(), products = textures * kColourways;
  auto rows = degradations();
  if (!o.only.empty())
    std::erase_if(rows, [&](const Degradation& d) { return std::find(o.only.begin(), o.only.end(), d.name) == o.only.end(); });
  if (textures < 2 || rows.empty()) {
    std::fprintf(stderr, "vision_real: need two textures and a known degradation\n");
    return 2;
  }
  const vision::ClassicExtractor extractors[kVersions] = {vision::ClassicExtractor(vision::classic_1_recipe()),
                                                          vision::ClassicExtractor(o.classic_2),
                                                          vision::ClassicExtractor(o.scaled)};
  std::array<std::atomic<double>, kVersions> extract_seconds{};
  auto extract = [&](const vision::ExtractorInput& input, const std::optional<std::string>& mask, const std::string& jpeg) {
    Vectors v;
    for (int k = 0; k < kVersions; ++k) {
      auto t0 = std::chrono::steady_clock::now();
      v.k9[k] = extractors[k].extract(input).vector;
      extract_seconds[k] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    v.histogram = colour_histogram(jpeg, mask);
    return v;
  };
  // Product p = texture * kColourways + colourway.
  std::vector<Vectors> catalog(products);
  std::vector<double> catalog_period(products), catalog_prominence(products);
  std::vector<std::vector<double>> query_period(rows.size(), std::vector<double>(products, 0.0));
  // The dominant period the scale step sees (about: at the working side, no illumination
  // flattening, no mask), in px of the working image.
  auto period_of = [&](const std::string& jpeg, double* prominence) {
    cv::Mat grey;
    cv::cvtColor(codec::decode_jpeg(jpeg).pixels, grey, cv::COLOR_BGR2GRAY);
    grey.convertTo(grey, CV_32F, 1.0 / 255);
    double f = double(vision::kWorkingSide) / std::max(grey.cols, grey.rows);
    if (f < 1) cv::resize(grey, grey, cv::Size(), f, f, cv::INTER_AREA);
    grey /= std::max(cv::mean(grey)[0], 1e-3);
    double s = o.scaled.pattern.pre_blur;
    if (s > 0) cv::GaussianBlur(grey, grey, cv::Size(), s, s, cv::BORDER_REFLECT);
    return vision::dominant_period(grey, cv::Mat(grey.size(), CV_8U, cv::Scalar(255)), prominence);
  };
  std::vector<std::vector<Vectors>> queries(rows.size(), std::vector<Vectors>(products));
#ifdef K9_RERANK
  std::vector<std::string> catalog_jpeg(products);
  std::vector<std::vector<std::pair<std::string, std::optional<std::string>>>> query_jpeg(
      rows.size(), std::vector<std::pair<std::string, std::optional<std::string>>>(products));
#endif
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t t; (t = next++) < textures;) {
      double tint_angle = double(mix(o.seed, t) % 360);
      for (int c = 0; c < kColourways; ++c) {
        cv::Mat texture = colourway(set[t].second, Colourway(c), tint_angle);
        // The catalog's piece of the material and the one the phone sees: never the same pixels.
        cv::Mat catalog_piece = texture.rowRange(0, texture.rows / 2), phone_piece = texture.rowRange(texture.rows / 2, texture.rows);
        size_t p = t * kColourways + c;
        std::string photo = codec::encode_jpeg(catalog_photo(catalog_piece), 92);
        catalog[p] = extract({photo}, std::nullopt, photo);
#ifdef K9_RERANK
        catalog_jpeg[p] = photo;
#endif
        catalog_period[p] = period_of(photo, &catalog_prominence[p]);
        for (size_t r = 0; r < rows.size(); ++r) {
          std::mt19937_64 g(mix(mix(mix(o.seed, t), uint64_t(c)), std::hash<std::string>{}(rows[r].name)));
          PhoneShot shot;
          shot.centre_x = uniform(g, 0, 1), shot.centre_y = uniform(g, 0, 1);
          shot.noise_seed = g();
          size_t other = (t + 1 + g() % (textures - 1)) % textures;
          rows[r].set(shot, g);
          PhonePhoto q = phone_photo(phone_piece, catalog_density(catalog_piece), set[other].second, shot);
          if (!o.save.empty() && t == 0) {
            std::string stem = o.save + "/" + rows[r].name + "-" + colourway_name(Colourway(c));
            std::ofstream(stem + ".png", std::ios::binary) << codec::encode_png(codec::decode_jpeg(q.jpeg).pixels);
            if (q.mask_png) std::ofstream(stem + "-mask.png", std::ios::binary) << *q.mask_png;
          }
          vision::ExtractorInput input{q.jpeg};
          if (q.mask_png) input.mask = *q.mask_png;
          queries[r][p] = extract(input, q.mask_png, q.jpeg);
#ifdef K9_RERANK
          query_jpeg[r][p] = {q.jpeg, q.mask_png};
#endif
          if (!q.mask_png && !shot.turn && shot.keystone == 1)  // front-on, unmasked: how the estimate follows the scale
            query_period[r][p] = period_of(q.jpeg, nullptr) / shot.scale;
        }
      }
      if ((t + 1) % 20 == 0) std::fprintf(stderr, "vision_real: %zu textures done\n", t + 1);
    }
  };
  std::vector<std::jthread> pool;
  for (unsigned i = 0; i < o.threads; ++i) pool.emplace_back(work);
  pool.clear();
  double made = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::printf("%zu textures x %d colourways = %zu products; %zu queries per degradation\n\n", textures, kColourways,
              products, products);
  std::printf("| degradation | what | k9-classic-1 R@1 | pattern R@1 | R@10 | k9-classic-2 R@1 | pattern R@1 | R@10 "
              "| k9-classic-2+scale R@1 | pattern R@1 | R@10 | histogram R@1 | pattern R@1 | R@10 |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  // tallies[r][v]: v < kVersions the classic versions, kVersions the histogram (recalls only).
  std::vector<std::array<Tally, kVersions + 1>> tallies(rows.size() + 1);
  for (size_t r = 0; r < rows.size(); ++r) {
    auto& t = tallies[r];
    for (size_t p = 0; p < products; ++p) {
      const Vectors& q = queries[r][p];
      for (int v = 0; v < kVersions; ++v) rank(q, catalog, v, p, t[v]);
      std::vector<double> hist(products);
      for (size_t j = 0; j < products; ++j) hist[j] = intersection(q.histogram, catalog[j].histogram);
      t[kVersions].recall.add(rank_of(hist, p)), t[kVersions].pattern += right_texture(hist, p);
    }
    for (int v = 0; v <= kVersions; ++v) tallies[rows.size()][v].add(t[v]);
  }
  for (size_t r = 0; r <= rows.size(); ++r) {
    auto& t = tallies[r];
    double n = double(t[0].recall.n);
    if (r < rows.size()) std::printf("| %s | %s ", rows[r].name, rows[r].what);
    else std::printf("| **all** | %zu queries over %zu products ", t[0].recall.n, products);
    for (int v = 0; v <= kVersions; ++v) std::printf("| %.3f | %.3f | %.3f ", t[v].recall.r1(), t[v].pattern / n, t[v].recall.r10());
    std::printf("|\n");
  }
  for (int v = 0; v < kVersions; ++v) {
    std::printf("\n%s's misses at rank 1, by what came first:\n\n", kVersionNames[v]);
    std::printf("| degradation | misses | another texture | the near-hue sibling (original <-> near hue) | another "
                "colourway | pattern R@1, pattern scores alone | colour scores alone |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    for (size_t r = 0; r <= rows.size(); ++r) {
      const Tally& t = tallies[r][v];
      std::printf("| %s | %zu | %zu | %zu | %zu | %.3f | %.3f |\n", r < rows.size() ? rows[r].name : "**all**",
                  t.recall.n - t.recall.at1, t.other_texture, t.near_pair, t.other_colourway,
                  double(t.pattern_alone) / t.recall.n, double(t.colour_alone) / t.recall.n);
    }
  }
  size_t prominent = size_t(std::count_if(catalog_prominence.begin(), catalog_prominence.end(),
                                          [&](double x) { return x >= o.scaled.pattern.scale_prominence; }));
  std::sort(catalog_period.begin(), catalog_period.end());
  std::sort(catalog_prominence.begin(), catalog_prominence.end());
  std::printf("\nDominant period of the catalog photos at %d px (the scale step's estimate): 10%% %.1f, 25%% %.1f, "
              "median %.1f, 75%% %.1f, 90%% %.1f px; k9-classic-2+scale resamples to %.1f px within %.2f..%.2fx\n",
              vision::kWorkingSide, catalog_period[products / 10], catalog_period[products / 4], catalog_period[products / 2],
              catalog_period[products * 3 / 4], catalog_period[products * 9 / 10], o.scaled.pattern.scale_period,
              o.scaled.pattern.scale_min, o.scaled.pattern.scale_max);
  std::printf("Prominence of the peak: 25%% %.2f, median %.2f, 75%% %.2f, 90%% %.2f; %zu of %zu catalog photos at or over "
              "%.2f (resampled)\n", catalog_prominence[products / 4], catalog_prominence[products / 2],
              catalog_prominence[products * 3 / 4], catalog_prominence[products * 9 / 10], prominent, products,
              o.scaled.pattern.scale_prominence);
  // Per front-on, unmasked row: log2(query's period / catalog's / the shot's scale) over the
  // products, the estimate's disagreement between two pieces of one texture (0: it follows the scale).
  for (size_t r = 0; r < rows.size(); ++r) {
    for (double least : {0.0, 2.0}) {  // all, and where the catalog's peak stands out
    std::vector<double> err;
    for (size_t p = 0; p < products; ++p)
      if (query_period[r][p] > 0 && catalog_period[p] > 0 && catalog_prominence[p] >= least)
        err.push_back(std::log2(query_period[r][p] / catalog_period[p]));
    if (err.size() < 10) continue;
    std::sort(err.begin(), err.end());
    size_t within = size_t(std::count_if(err.begin(), err.end(), [&](double e) { return std::abs(e - err[err.size() / 2]) < std::log2(1.1); }));
    std::printf("Period estimate, %s row, catalog prominence >= %.0f (%zu photos): log2(query / catalog / scale) 10%% %+.2f, 25%% %+.2f, median "
                "%+.2f, 75%% %+.2f, 90%% %+.2f octaves; %.2f within 10%% of the median\n", rows[r].name, least, err.size(),
                err[err.size() / 10], err[err.size() / 4], err[err.size() / 2], err[err.size() * 3 / 4],
                err[err.size() * 9 / 10], double(within) / err.size());
    }
  }
#ifdef K9_RERANK
  {
    // k9-classic-2's first ten re-ranked by verified texture: a candidate's texture whose best
    // photo has at least `kVerified` RANSAC inliers comes first (more inliers first), the rest
    // after; within a texture the colourways keep k9-classic-2's order (luminance features
    // cannot tell colourways apart). Recall@10 cannot change.
    // K9_RERANK_INLIERS changes it (the experiment's one knob).
    const int kVerified = std::getenv("K9_RERANK_INLIERS") ? std::atoi(std::getenv("K9_RERANK_INLIERS")) : 15;
    auto rerank_started = std::chrono::steady_clock::now();
    std::vector<Local> catalog_local(products);
    std::atomic<size_t> next_product{0};
    {
      std::vector<std::jthread> workers;
      for (unsigned i = 0; i < o.threads; ++i)
        workers.emplace_back([&] {
          for (size_t p; (p = next_product++) < products;) catalog_local[p] = local_features(catalog_jpeg[p], std::nullopt);
        });
    }
    std::vector<std::array<size_t, 3>> counts(rows.size() + 1, {0, 0, 0});  // R@1, pattern R@1, n
    std::atomic<size_t> next_query{0};
    std::mutex mu;
    {
      std::vector<std::jthread> workers;
      for (unsigned i = 0; i < o.threads; ++i)
        workers.emplace_back([&] {
          for (size_t k; (k = next_query++) < rows.size() * products;) {
            size_t r = k / products, p = k % products;
            const Vectors& q = queries[r][p];
            std::vector<double> match(products);
            for (size_t j = 0; j < products; ++j)
              match[j] = vision::visual_match(vision::colour_scores(q.k9[1], catalog[j].k9[1]),
                                              vision::pattern_scores(q.k9[1], catalog[j].k9[1]));
            std::vector<size_t> order(products);
            for (size_t j = 0; j < products; ++j) order[j] = j;
            std::partial_sort(order.begin(), order.begin() + 10, order.end(),
                              [&](size_t a, size_t b) { return match[a] > match[b]; });
            order.resize(10);
            Local ql = local_features(query_jpeg[r][p].first, query_jpeg[r][p].second);
            std::map<size_t, int> texture_inliers;
            for (size_t j : order) texture_inliers[j / kColourways] = std::max(texture_inliers[j / kColourways], inliers(ql, catalog_local[j]));
            std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
              int ia = texture_inliers[a / kColourways], ib = texture_inliers[b / kColourways];
              bool va = ia >= kVerified, vb = ib >= kVerified;
              if (va != vb) return va;
              return va && ia > ib;
            });
            bool r1 = order[0] == p, pattern = order[0] / kColourways == p / kColourways;
            std::lock_guard lock(mu);
            for (size_t row : {r, rows.size()}) counts[row][0] += r1, counts[row][1] += pattern, counts[row][2] += 1;
          }
        });
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - rerank_started).count();
    std::printf("\nk9-classic-2 re-ranked by AKAZE + RANSAC (its first ten; a texture verified at >= %d inliers first):\n\n"
                "| degradation | R@1 before | after | pattern R@1 before | after |\n|---|---|---|---|---|\n", kVerified);
    for (size_t r = 0; r <= rows.size(); ++r) {
      const Tally& t = tallies[r][1];
      double n = double(counts[r][2]);
      std::printf("| %s | %.3f | %.3f | %.3f | %.3f |\n", r < rows.size() ? rows[r].name : "**all**", t.recall.r1(),
                  counts[r][0] / n, t.pattern / double(t.recall.n), counts[r][1] / n);
    }
    std::printf("\nRe-ranking: %.1f s wall for %zu queries on %u threads (%.1f ms of wall per query, catalog features included)\n",
                seconds, rows.size() * products, o.threads, 1000 * seconds * o.threads / double(rows.size() * products));
  }
#endif
  std::printf("\nExtraction, seconds of CPU summed over all photos (catalog and queries):");
  for (int k = 0; k < kVersions; ++k) std::printf(" %s %.1f s (%.2fx k9-classic-1);", kVersionNames[k], extract_seconds[k].load(),
                                                 extract_seconds[k].load() / extract_seconds[0].load());
  std::printf("\n");
  std::fprintf(stderr, "vision_real: photos made and analysed in %.0f s, %.0f s in all (%u threads)\n", made,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), o.threads);
  return 0;
}
