#include "catalog/snapshot/snapshot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "catalog/snapshot/builder.h"
#include "catalog/snapshot/writer.h"
#include "testing/base/temp_dir.h"
#include "testing/store/catalog_fixture.h"
#include "vision/features.h"

namespace k9::catalog::snapshot {
namespace {

namespace fs = std::filesystem;
using store::AttributeValue;
using vision::kDimension;

// A k9-classic-1 vector whose colours and histograms are set from `seed`.
std::vector<float> vec(float seed) {
  std::vector<float> v(kDimension, 0.f);
  for (size_t i = 0; i < 3; ++i) {
    float* c = v.data() + vision::kColourOffset + i * vision::kColourStride;
    c[0] = 20 + seed + float(i) * 20, c[1] = seed - 10, c[2] = float(i) * 5 - seed, c[3] = i == 0 ? 0.5f : 0.25f;
  }
  for (size_t l = 0; l < vision::kLevels; ++l) v[vision::kLbpOffset + l * vision::kLbpBins + size_t(seed) % 10] = 1;
  v[vision::kOrientOffset + 3] = 0.75f, v[vision::kOrientOffset + 4] = 0.25f;
  v[vision::kSpectrumOffset + 2] = 1;
  return v;
}
std::vector<float> vecs(std::initializer_list<float> seeds) {
  std::vector<float> out;
  for (float s : seeds) {
    auto v = vec(s);
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

class SnapshotTest : public testkit::CatalogFixture {
 protected:
  SnapshotTest() : CatalogFixture("snapshot") {}
  void add(const std::string& id, std::vector<float> vectors, const std::string& hash = "h") {
    Product p;
    p.id = id;
    p.brand = "Brand " + id;
    p.model = "M";
    p.category.type = "Tile";
    p.formats.push_back({Dimension{{"12"}, "in"}, Dimension{{"24"}, "in"}, Dimension{{"9.5"}, "mm"},
                         {Vendor{"s1", "A", "n", Dimension{{"19.99"}, "usd"}, false, "u"},
                          Vendor{"s2", "B", "n", Dimension{{"12.5"}, "usd"}, false, "u"}}});
    products_->put(p, hash);
    embeddings_->put({id, "k9-classic-1", kDimension, std::move(vectors), hash});
  }
  fs::path file_ = snapshot_path(dir_.path(), "k9-classic-1");
};

TEST_F(SnapshotTest, HoldsEveryCatalogProductWithItsVectorsAndFilterAttributes) {
  add("b", vecs({1, 2}));
  add("a", vecs({5}));
  embeddings_->put({"a", "other-version", 1, {9}, ""});
  // A report's reference product with an embedding stays out.
  store_->put({tables_.products, {{"id", AttributeValue::S("ref")}, {"user_id", AttributeValue::S("u")}}});
  embeddings_->put({"ref", "k9-classic-1", kDimension, vec(7), ""});

  auto r = build_snapshot(*products_, *embeddings_, "k9-classic-1", file_);
  EXPECT_EQ(r.products, 2u);
  EXPECT_EQ(r.vectors, 3u);
  auto s = Snapshot::open(file_);
  EXPECT_EQ(s.model_version(), "k9-classic-1");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.dimension(), kDimension);
  EXPECT_EQ(s.vector_count(), 3u);
  EXPECT_EQ(s.product_id(0), "a");
  EXPECT_EQ(s.product_id(1), "b");
  // Quantised: colours to the palette, shares and square roots of bins to bytes.
  auto q = s.dequantised(1, 1);
  auto exact = vec(2);
  for (size_t j = 0; j < kDimension; ++j) EXPECT_NEAR(q[j], exact[j], 0.01) << j;
  EXPECT_EQ(s.dequantised(0, 0)[vision::kColourOffset + 1], -5.f);
  EXPECT_EQ(s.record(1).vector_count, 2u);
  EXPECT_EQ(s.term(s.record(1).type_term), "tile");
  EXPECT_EQ(s.record(1).material_term, 0);
  auto d = s.display(0);
  EXPECT_EQ(d.colour[0][0], -5.f);
  EXPECT_EQ(d.colour[0][1], -5.f);
  EXPECT_NEAR(d.pattern[2][0], 0.4f, 1 / 255.f);  // spectrum centroid at level 2 of 0..5
  const auto& rec = s.record(1);
  EXPECT_EQ(s.text(rec.brand), "Brand b");
  EXPECT_EQ(s.text(rec.type), "Tile");
  EXPECT_EQ(s.text(rec.material), "");
  EXPECT_FLOAT_EQ(rec.price_min, 12.5f);
  EXPECT_FLOAT_EQ(rec.price_max, 19.99f);
  EXPECT_FLOAT_EQ(rec.length_mm, 12 * 25.4f);
  EXPECT_FLOAT_EQ(rec.thickness_mm, 9.5f);
}

TEST_F(SnapshotTest, RebuiltOnlyWhenTheCatalogChanges) {
  add("a", vecs({1}));
  EXPECT_TRUE(ensure_snapshot(*products_, *embeddings_, "k9-classic-1", file_).rebuilt);
  EXPECT_FALSE(ensure_snapshot(*products_, *embeddings_, "k9-classic-1", file_).rebuilt);
  auto old = Snapshot::open(file_);  // mapped before the rebuild, still readable after it
  add("a", vecs({3}), "h2");
  auto r = ensure_snapshot(*products_, *embeddings_, "k9-classic-1", file_);
  EXPECT_TRUE(r.rebuilt);
  EXPECT_EQ(Snapshot::open(file_).dequantised(0, 0)[vision::kColourOffset + 1], -7.f);
  EXPECT_EQ(old.dequantised(0, 0)[vision::kColourOffset + 1], -9.f);
}

TEST_F(SnapshotTest, DamagedFilesAreRefusedWithAReason) {
  add("a", vecs({1}));
  build_snapshot(*products_, *embeddings_, "k9-classic-1", file_);
  fs::resize_file(file_, fs::file_size(file_) - 4);
  try {
    Snapshot::open(file_);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos);
  }
  std::ofstream(file_, std::ios::trunc) << std::string(200, 'x');
  EXPECT_THROW(Snapshot::open(file_), std::runtime_error);
  // ensure_snapshot() repairs it.
  EXPECT_TRUE(ensure_snapshot(*products_, *embeddings_, "k9-classic-1", file_).rebuilt);
  EXPECT_EQ(Snapshot::open(file_).size(), 1u);
}

TEST_F(SnapshotTest, OtherDimensionsAreRefused) {
  embeddings_->put({"x", "k9-classic-1", 2, {1, 2}, ""});
  Product p;
  p.id = "x";
  products_->put(p, "h");
  EXPECT_THROW(build_snapshot(*products_, *embeddings_, "k9-classic-1", file_), std::runtime_error);
}

// Every kind of damage to a v2 file is refused with std::runtime_error, never read.
TEST(SnapshotFile, CorruptV2FilesAreRefused) {
  testkit::TempDir dir("snapshot-corrupt");
  auto file = dir / "corrupt.k9snap";
  std::vector<Entry> entries(40);
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i].id = "p" + std::to_string(10 + i);
    entries[i].category.type = i % 2 ? "Tile" : "Plank";
    entries[i].vectors = vecs({float(i % 7), float(i % 5)});
  }
  write_snapshot(file, "k9-classic-1", {}, entries);
  std::string good;
  {
    std::ifstream in(file, std::ios::binary);
    good.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_EQ(Snapshot::open(file).size(), 40u);
  auto refused = [&](const std::string& bytes, const std::string& why) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
    try {
      Snapshot::open(file);
      ADD_FAILURE() << "accepted: " << why;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  auto patched = [&](size_t offset, const void* value, size_t n) {
    std::string b = good;
    std::memcpy(b.data() + offset, value, n);
    return b;
  };
  Header h;
  std::memcpy(&h, good.data(), sizeof h);
  refused(good.substr(0, good.size() - 1), "truncated");
  refused(good.substr(0, 100), "too short");
  uint32_t v1 = 1;
  refused(patched(offsetof(Header, format_version), &v1, 4), "format version 1");
  uint64_t far = h.file_size - 8;
  refused(patched(offsetof(Header, vectors_offset), &far, 8), "sections");
  uint32_t many = h.vector_count + 16;
  refused(patched(offsetof(Header, vector_count), &many, 4), "sections");
  uint32_t big = 1000;
  refused(patched(offsetof(Header, term_count), &big, 4), "");
  uint16_t code = uint16_t(h.palette_count);
  refused(patched(h.vectors_offset + 2 * 5, &code, 2), "palette");
  uint16_t term = 9;
  refused(patched(sizeof(Header) + offsetof(ProductRecord, type_term), &term, 2), "term");
  uint32_t count = 3;
  refused(patched(sizeof(Header) + offsetof(ProductRecord, vector_count), &count, 4), "vectors");
  uint32_t offset = UINT32_MAX - 2;
  refused(patched(sizeof(Header) + offsetof(ProductRecord, brand), &offset, 4), "string");
}

}  // namespace
}  // namespace k9::catalog::snapshot
