#include "search/scorer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

#include "catalog/demo/demo_catalog.h"
#include "catalog/snapshot/writer.h"
#include "codec/codec.h"
#include "testing/base/temp_dir.h"
#include "vision/classic_extractor.h"
#include "vision/features.h"
#include "vision/scores.h"

namespace k9::search {
namespace {

namespace fs = std::filesystem;
namespace snap = catalog::snapshot;
using namespace k9::vision;

// A random but valid k9-classic-1 vector: shares and every histogram sum to 1.
std::vector<float> random_vector(std::mt19937& rng) {
  std::vector<float> v(kDimension);
  std::uniform_real_distribution<float> u(0, 1), lab(-50, 50), light(15, 95);
  auto normalise = [&](size_t off, size_t n, float sparsity) {
    float sum = 0;
    for (size_t i = 0; i < n; ++i) sum += v[off + i] = u(rng) < sparsity ? 0 : std::pow(u(rng), 3.f);
    if (sum == 0) v[off] = sum = 1;
    for (size_t i = 0; i < n; ++i) v[off + i] /= sum;
  };
  float shares[3] = {u(rng) + 1, u(rng) + 0.5f, u(rng)}, total = shares[0] + shares[1] + shares[2];
  for (size_t i = 0; i < kColours; ++i) {
    float* c = v.data() + kColourOffset + i * kColourStride;
    c[0] = light(rng), c[1] = lab(rng), c[2] = lab(rng), c[3] = shares[i] / total;
  }
  for (size_t l = 0; l < kLevels; ++l) normalise(kLbpOffset + l * kLbpBins, kLbpBins, 0.2f);
  normalise(kOrientOffset, kOrientBins, 0.1f);
  normalise(kSpectrumOffset, kLevels, 0.1f);
  return v;
}

// vision/scores.h on floats, with the scorer's documented choices: best (reference photo,
// product photo) pair by visual_match, the product's first format for shape.
Scores exact_scores(const Reference& ref, const snap::Entry& e) {
  Scores s;
  Category cat = e.category;
  s.type = type_scores(ref.category, cat);
  Format first{e.length, e.width, e.thickness, {}};
  s.shape = shape_scores(ref.formats, {first});
  double best = -1;
  for (size_t r = 0; r < ref.vectors.size(); r += kDimension)
    for (size_t p = 0; p < e.vectors.size(); p += kDimension) {
      std::span<const float> a(ref.vectors.data() + r, kDimension), b(e.vectors.data() + p, kDimension);
      auto c = colour_scores(a, b);
      auto pt = pattern_scores(a, b);
      double vm = visual_match(c, pt);
      if (vm > best) best = vm, s.colour = c, s.pattern = pt;
    }
  set_match(s);
  return s;
}

std::vector<size_t> top(const std::vector<double>& scores, size_t k) {
  std::vector<size_t> idx(scores.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  idx.resize(k);
  return idx;
}

// Real features: demo catalog products (2 catalog photos each), references from unseen photos.
class RealVectors : public ::testing::Test {
 protected:
  static constexpr size_t kProducts = 48, kFillers = 20000;
  static void SetUpTestSuite() {
    catalog::demo::DemoCatalog demo(catalog::demo::DemoOptions::small(kProducts, 3));
    ClassicExtractor x;
    entries_ = new std::vector<snap::Entry>;
    refs_ = new std::vector<Reference>;
    for (size_t i = 0; i < kProducts; ++i) {
      cv::Mat sheet = demo.sheet(i);
      std::vector<float> vectors;
      for (uint64_t shot : {0, 1}) {
        auto f = x.extract({codec::encode_jpeg(demo.photo(sheet, i, shot), 90)}).vector;
        vectors.insert(vectors.end(), f.begin(), f.end());
      }
      entries_->push_back(snap::Entry::of(demo.product(i), std::move(vectors)));
      Product p = demo.product(i);
      refs_->push_back({"ref-" + p.id, x.extract({codec::encode_jpeg(demo.photo(sheet, i, 1000), 90)}).vector, p.category, p.formats});
    }
    // Fillers with random colours fill the palette as a large catalog would (its grid gets
    // coarse); only the demo products are compared.
    std::vector<snap::Entry> all = *entries_;
    std::mt19937 rng(1);
    for (size_t i = 0; i < kFillers; ++i) {
      snap::Entry e;
      e.id = "~filler-" + std::to_string(i);
      e.vectors = random_vector(rng);
      all.push_back(std::move(e));
    }
    dir_ = new testkit::TempDir("scorer");
    file_ = new fs::path(*dir_ / "real.k9snap");
    auto w = snap::write_snapshot(*file_, kClassicModelVersion, {}, all);
    std::printf("palette: %zu entries\n", w.palette);
  }
  static void TearDownTestSuite() {
    delete entries_, delete refs_, delete file_, delete dir_;
  }
  static std::vector<snap::Entry>* entries_;
  static std::vector<Reference>* refs_;
  static testkit::TempDir* dir_;
  static fs::path* file_;
};
std::vector<snap::Entry>* RealVectors::entries_;
std::vector<Reference>* RealVectors::refs_;
testkit::TempDir* RealVectors::dir_;
fs::path* RealVectors::file_;

// The column of each score, in Scores' terms.
struct Column {
  Score s;
  double (*get)(const Scores&);
};
const Column kVisualColumns[] = {
    {Score::color_primary, [](const Scores& s) { return s.colour->primary; }},
    {Score::color_secondary, [](const Scores& s) { return s.colour->secondary; }},
    {Score::color_tertiary, [](const Scores& s) { return s.colour->tertiary; }},
    {Score::pattern_primary, [](const Scores& s) { return s.pattern->primary; }},
    {Score::pattern_secondary, [](const Scores& s) { return s.pattern->secondary; }},
    {Score::pattern_tertiary, [](const Scores& s) { return s.pattern->tertiary; }},
    {Score::match, [](const Scores& s) { return *s.match; }},
};

TEST_F(RealVectors, QuantisedScoresStayCloseToTheExactOnesAndKeepTheRanking) {
  auto s = snap::Snapshot::open(*file_);
  ASSERT_EQ(s.size(), kProducts + kFillers);
  // Entries in the snapshot's (id) order.
  std::vector<const snap::Entry*> by_id;
  for (auto& e : *entries_) by_id.push_back(&e);
  std::sort(by_id.begin(), by_id.end(), [](auto* a, auto* b) { return a->id < b->id; });

  double max_err[7] = {}, sum_err[7] = {};
  size_t n = 0, overlap = 0, top1 = 0, flips = 0;
  for (auto& ref : *refs_) {
    ScoreMatrix m = score_catalog(s, ref);
    ASSERT_EQ(m.size(), kProducts + kFillers);
    std::vector<double> exact_match, quant_match;
    for (size_t i = 0; i < kProducts; ++i) {
      ASSERT_EQ(m.product_id(i), by_id[i]->id);
      Scores e = exact_scores(ref, *by_id[i]);
      for (size_t c = 0; c < 7; ++c) {
        double err = std::abs(double(m.column(kVisualColumns[c].s)[i]) - kVisualColumns[c].get(e));
        max_err[c] = std::max(max_err[c], err), sum_err[c] += err;
        if (c == 1 && err > 0.1) ++flips;
      }
      ++n;
      exact_match.push_back(*e.match);
      quant_match.push_back(m.column(Score::match)[i]);
    }
    auto a = top(exact_match, 10), b = top(quant_match, 10);
    for (size_t x : a) overlap += std::count(b.begin(), b.end(), x);
    top1 += a[0] == b[0];
  }
  for (size_t c = 0; c < 7; ++c)
    std::printf("%-18s mean |error| %.4f, max %.4f\n", std::string(score_name(kVisualColumns[c].s)).c_str(),
                sum_err[c] / double(n), max_err[c]);
  double mean_overlap = double(overlap) / double(refs_->size());
  std::printf("exact top-10 found in the quantised top-10: %.2f of 10; same top-1: %zu of %zu\n", mean_overlap, top1,
              refs_->size());
  std::printf("secondary colour off by more than 0.1 (the pairing of colours flipped): %zu of %zu\n", flips, n);
  // Tolerances (measured with some margin; see the figures printed above).
  // Measured (palette of ~12,000 entries filled by 20,000 random-colour products, a worst
  // case): match mean 0.005, max 0.06; colour scores mean 0.02 (palette rounding of about
  // 1 dE00), pattern scores mean 0.004; 9.5 of the exact top 10 in the quantised top 10,
  // top 1 always the same.
  EXPECT_LT(sum_err[6] / double(n), 0.01);  // match, mean
  EXPECT_LT(max_err[6], 0.08);              // match, worst
  for (size_t c = 0; c < 3; ++c) EXPECT_LT(sum_err[c] / double(n), 0.03) << score_name(kVisualColumns[c].s);
  for (size_t c = 3; c < 6; ++c) EXPECT_LT(sum_err[c] / double(n), 0.01) << score_name(kVisualColumns[c].s);
  // Pattern scores move little; colour scores jump where the colour pairing is a near-tie
  // that the palette or the byte shares flip, or the best photo pair changes.
  for (size_t c = 3; c < 6; ++c) EXPECT_LT(max_err[c], 0.25) << score_name(kVisualColumns[c].s);
  EXPECT_LT(flips * 20, n);  // under 5% of the pairs
  EXPECT_GE(mean_overlap, 9.0);
  EXPECT_GE(top1 * 10, refs_->size() * 9);
}

TEST(Scorer, RandomVectorsStayCloseAndMatchIsTheWeightedMeanOfPresentScores) {
  std::mt19937 rng(7);
  std::vector<snap::Entry> entries;
  for (int i = 0; i < 300; ++i) {
    snap::Entry e;
    e.id = "p" + std::to_string(1000 + i);
    e.category.type = i % 3 ? "Tile" : " tile ";
    if (i % 4) e.category.material = i % 2 ? "Porcelain" : "Stone";
    e.length = Dimension{{std::to_string(6 + i % 20)}, "in"};
    if (i % 5) e.width = Dimension{{std::to_string(3 + i % 9)}, i % 7 ? "in" : "none"};
    for (int k = 0; k < 1 + i % 3; ++k) {
      auto v = random_vector(rng);
      e.vectors.insert(e.vectors.end(), v.begin(), v.end());
    }
    entries.push_back(std::move(e));
  }
  testkit::TempDir dir("scorer");
  auto file = dir / "random.k9snap";
  snap::write_snapshot(file, kClassicModelVersion, {}, entries);
  auto s = snap::Snapshot::open(file);
  Reference ref{"r", random_vector(rng), {}, {}};
  auto second = random_vector(rng);
  ref.vectors.insert(ref.vectors.end(), second.begin(), second.end());
  ref.category.type = "TILE", ref.category.material = "stone";
  ref.formats.push_back({Dimension{{"12"}, "in"}, Dimension{{"300"}, "none"}, Dimension{{"9"}, "mm"}, {}});
  ScoreMatrix m = score_catalog(s, ref, 1);
  double max_match = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    Scores e = exact_scores(ref, entries[i]);  // ids were written in order
    ASSERT_EQ(m.product_id(i), entries[i].id);
    auto same = [&](Score c, std::optional<double> x) {
      float v = m.column(c)[i];
      EXPECT_EQ(std::isnan(v), !x.has_value()) << score_name(c) << " of " << entries[i].id;
      if (x && !std::isnan(v)) EXPECT_FLOAT_EQ(v, float(*x)) << score_name(c);
    };
    same(Score::type_type, e.type.type), same(Score::type_material, e.type.material);
    same(Score::shape_length, e.shape.length), same(Score::shape_width, e.shape.width);
    same(Score::shape_thickness, e.shape.thickness);
    max_match = std::max(max_match, std::abs(m.column(Score::match)[i] - *e.match));
    // match is the weighted mean of the matrix's own present scores.
    static constexpr double kWeights[kScoreCount] = {0, .10, .05, .05, .05, .05, .20, .10, .05, .20, .10, .05};
    double sum = 0, w = 0;
    for (size_t c = 1; c < kScoreCount; ++c)
      if (!std::isnan(m.columns[c][i])) sum += m.columns[c][i] * kWeights[c], w += kWeights[c];
    EXPECT_NEAR(m.column(Score::match)[i], sum / w, 1e-6);
  }
  EXPECT_LT(max_match, 0.05);
}

TEST(Scorer, MissingInputsGiveNaNAndMatchOverThePresentScores) {
  std::mt19937 rng(3);
  std::vector<snap::Entry> entries(2);
  entries[0].id = "a";  // no photos, no category, no format
  entries[1].id = "b";
  entries[1].vectors = random_vector(rng);
  entries[1].category.type = "Tile";
  testkit::TempDir dir("scorer");
  auto file = dir / "missing.k9snap";
  snap::write_snapshot(file, kClassicModelVersion, {}, entries);
  auto s = snap::Snapshot::open(file);

  Reference ref{"r", random_vector(rng), {}, {}};
  ref.category.type = "tile";
  ScoreMatrix m = score_catalog(s, ref);
  for (size_t c = 0; c < kScoreCount; ++c) EXPECT_TRUE(std::isnan(m.columns[c][0])) << score_name(Score(c));
  EXPECT_EQ(m.column(Score::type_type)[1], 1.f);
  EXPECT_TRUE(std::isnan(m.column(Score::type_material)[1]));
  EXPECT_TRUE(std::isnan(m.column(Score::shape_length)[1]));
  EXPECT_FALSE(std::isnan(m.column(Score::color_primary)[1]));
  // Without reference vectors: only type and shape remain.
  ref.vectors.clear();
  m = score_catalog(s, ref);
  EXPECT_TRUE(std::isnan(m.column(Score::color_primary)[1]));
  EXPECT_TRUE(std::isnan(m.column(Score::pattern_tertiary)[1]));
  EXPECT_EQ(m.column(Score::match)[1], 1.f);  // type alone
  ref.vectors.resize(5);
  EXPECT_THROW(score_catalog(s, ref), std::invalid_argument);
}

TEST(Scorer, IdsAndMetadataAreFilled) {
  std::mt19937 rng(5);
  std::vector<snap::Entry> entries(3);
  entries[0].id = "zz", entries[1].id = "a-long-id", entries[2].id = "m";
  for (auto& e : entries) e.vectors = random_vector(rng);
  testkit::TempDir dir("scorer");
  auto file = dir / "ids.k9snap";
  std::array<uint8_t, 16> fp{};
  fp[0] = 42;
  snap::write_snapshot(file, kClassicModelVersion, fp, entries);
  auto s = snap::Snapshot::open(file);
  ScoreMatrix m = score_catalog(s, {"ref-1", random_vector(rng), {}, {}});
  EXPECT_EQ(m.model_version, kClassicModelVersion);
  EXPECT_EQ(m.reference_product_id, "ref-1");
  EXPECT_EQ(m.snapshot_fingerprint[0], 42);
  EXPECT_EQ(m.id_width, 9u);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m.product_id(0), "a-long-id");
  EXPECT_EQ(m.product_id(1), "m");
  EXPECT_EQ(m.product_id(2), "zz");
  EXPECT_EQ(m.find("m"), 1u);
}

TEST(Scorer, SeveralThreadsGiveTheSameBitsAsOne) {
  std::mt19937 rng(11);
  std::vector<float> pool;
  for (int i = 0; i < 64; ++i) {
    auto v = random_vector(rng);
    pool.insert(pool.end(), v.begin(), v.end());
  }
  std::vector<snap::Entry> entries(20011);
  for (size_t i = 0; i < entries.size(); ++i) {
    auto& e = entries[i];
    e.id = "p" + std::to_string(100000 + i);
    e.category.type = i % 2 ? "Tile" : "Plank";
    e.length = Dimension{{std::to_string(1 + i % 40)}, "in"};
    for (size_t k = 0; k < i % 3; ++k)  // 0, 1 or 2 photos
      e.vectors.insert(e.vectors.end(), pool.begin() + (i * 7 + k) % 64 * kDimension,
                       pool.begin() + ((i * 7 + k) % 64 + 1) * kDimension);
  }
  testkit::TempDir dir("scorer");
  auto file = dir / "threads.k9snap";
  snap::write_snapshot(file, kClassicModelVersion, {}, entries);
  auto s = snap::Snapshot::open(file);
  Reference ref{"r", random_vector(rng), {}, {{Dimension{{"12"}, "in"}, std::nullopt, std::nullopt, {}}}};
  ref.category.type = "tile";
  auto one = score_catalog(s, ref, 1);
  for (unsigned t : {2u, 3u, 4u}) {
    auto many = score_catalog(s, ref, t);
    EXPECT_EQ(many.ids, one.ids);
    for (size_t c = 0; c < kScoreCount; ++c)
      EXPECT_EQ(std::memcmp(many.columns[c].data(), one.columns[c].data(), one.columns[c].size() * sizeof(float)), 0)
          << t << " threads, " << score_name(Score(c));
  }
}

TEST(Scorer, DisplayOfTheReferenceMatchesTheSnapshotsRounding) {
  std::mt19937 rng(13);
  std::vector<snap::Entry> entries(1);
  entries[0].id = "a";
  entries[0].vectors = random_vector(rng);
  testkit::TempDir dir("scorer");
  auto file = dir / "display.k9snap";
  snap::write_snapshot(file, kClassicModelVersion, {}, entries);
  auto s = snap::Snapshot::open(file);
  Display exact = display_of(entries[0].vectors), stored = s.display(0);
  for (int k = 0; k < 3; ++k)
    for (int j = 0; j < 2; ++j) {
      EXPECT_NEAR(stored.colour[k][j], exact.colour[k][j], 0.5f);
      EXPECT_NEAR(stored.pattern[k][j], exact.pattern[k][j], 0.5f / 255);
      EXPECT_GE(exact.pattern[k][j], 0.f);
      EXPECT_LE(exact.pattern[k][j], 1.f);
    }
}

}  // namespace
}  // namespace k9::search
