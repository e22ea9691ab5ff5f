// Extraction speed and peak memory of k9-classic-1 (docs/BENCHMARKS.md, "Visual analysis").
// Speed (Google Benchmark, one thread): one extraction from JPEG bytes at 1024x1024 and
// 4000x3000, beside the peer: libjpeg-turbo decoding the same JPEG at full size to BGR and doing
// nothing else (codec/codec.h; before 2026-11-26 the peer was OpenCV's cv::imdecode).
// Memory (--memory): in a fresh child process per size, the peak resident set growth during
// one extraction (/proc/self/clear_refs resets the high-water mark, VmHWM reads it), against
// the decoded image's size (width x height x 3 bytes).
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "codec/codec.h"
#include "vision/classic_extractor.h"
#include "vision/extractors.h"

namespace {

// A photo-like JPEG: a textured surface with a colour gradient (deterministic).
std::string photo_jpeg(int w, int h) {
  cv::Mat noise(h / 8 + 1, w / 8 + 1, CV_8UC3);
  cv::RNG(42).fill(noise, cv::RNG::UNIFORM, 60, 200);
  cv::Mat img;
  cv::resize(noise, img, cv::Size(w, h), 0, 0, cv::INTER_CUBIC);
  cv::Mat fine(h, w, CV_8UC3);
  cv::RNG(7).fill(fine, cv::RNG::NORMAL, 0, 12);
  img += fine;
  return k9::codec::encode_jpeg(img, 90);
}

const std::string& photo(int w, int h) {
  static std::string small = photo_jpeg(1024, 1024), large = photo_jpeg(4000, 3000);
  return w == 1024 ? small : large;
}

// The scale step's experiment (issue 19, docs/VISION.md): k9-classic-2 with PatternRecipe's scale
// step as k9_bench_vision_real measures it. Not a model version.
std::unique_ptr<k9::vision::Extractor> scaled_extractor() {
  auto r = k9::vision::classic_2_recipe();
  r.model_version = "k9-classic-2+scale";
  r.pattern.scale_period = 24, r.pattern.scale_min = 0.7, r.pattern.scale_max = 1.4;
  return std::make_unique<k9::vision::ClassicExtractor>(r);
}

// Arguments: width, height, the model version's index in vision::model_versions() (one past
// the last: the scale step's experiment).
void BM_Extract(benchmark::State& state) {
  const std::string& bytes = photo(int(state.range(0)), int(state.range(1)));
  size_t v = size_t(state.range(2));
  auto extractor = v == k9::vision::model_versions().size() ? scaled_extractor()
                                                            : k9::vision::make_extractor(k9::vision::model_versions().at(v));
  state.SetLabel(extractor->model_version());
  for (auto _ : state) benchmark::DoNotOptimize(extractor->extract({bytes}));
  state.counters["images_per_s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Extract)
    ->Args({1024, 1024, 0})
    ->Args({1024, 1024, 1})
    ->Args({1024, 1024, 2})
    ->Args({4000, 3000, 0})
    ->Args({4000, 3000, 1})
    ->Args({4000, 3000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_PeerDecodeJpeg(benchmark::State& state) {
  const std::string& bytes = photo(int(state.range(0)), int(state.range(1)));
  for (auto _ : state) benchmark::DoNotOptimize(k9::codec::decode_jpeg(bytes));
}
BENCHMARK(BM_PeerDecodeJpeg)->Args({1024, 1024})->Args({4000, 3000})->Unit(benchmark::kMillisecond)->UseRealTime();

long status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field)));
  return -1;
}

void measure_memory(int w, int h) {
  std::fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    std::string bytes = photo_jpeg(w, h);
    k9::vision::ClassicExtractor extractor;
    extractor.extract({photo_jpeg(64, 64)});  // OpenCV's one-time set-up is not per extraction
    std::ofstream("/proc/self/clear_refs") << "5";  // reset VmHWM to the current RSS
    long before = status_kib("VmRSS:");
    auto f = extractor.extract({bytes});
    long peak = status_kib("VmHWM:");
    double decoded = double(w) * h * 3 / 1024;
    std::printf("| %dx%d | %.1f MiB | %.1f MiB | %.2f |\n", w, h, decoded / 1024, (peak - before) / 1024.0,
                (peak - before) / decoded);
    std::fflush(stdout);
    _exit(f.vector.empty());
  }
  int status = 0;
  waitpid(child, &status, 0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--memory") {
    std::printf("| image | decoded size | peak RSS growth in one extraction | ratio |\n|---|---|---|---|\n");
    measure_memory(1024, 1024);
    measure_memory(4000, 3000);
    return 0;
  }
  // One thread: the figures are per core (OpenCV would otherwise spread resizes and
  // conversions over its own thread pool, and Google Benchmark's CPU time would miss it).
  cv::setNumThreads(1);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
