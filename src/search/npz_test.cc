#include "search/npz.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "testing/base/peer_process.h"
#include "testing/base/temp_dir.h"

namespace k9::search {
namespace {

const float kNaN = std::nanf("");

ScoreMatrix sample(size_t n = 3) {
  ScoreMatrix m;
  m.model_version = "k9-classic-1";
  m.reference_product_id = "ref-1";
  for (size_t i = 0; i < 16; ++i) m.snapshot_fingerprint[i] = uint8_t(i * 17);
  m.id_width = 8;
  for (size_t i = 0; i < n; ++i) {
    std::string id = "p" + std::to_string(100 + i);  // p100, p101, ...: sorted
    id.resize(m.id_width, '\0');
    m.ids += id;
  }
  for (size_t s = 0; s < kScoreCount; ++s) {
    m.columns[s].resize(n);
    for (size_t i = 0; i < n; ++i) m.columns[s][i] = (i == 1 && s == size_t(Score::shape_thickness)) ? kNaN : float(s) / 16 + float(i) / 1024;
  }
  return m;
}

void expect_same(const ScoreMatrix& a, const ScoreMatrix& b) {
  EXPECT_EQ(a.model_version, b.model_version);
  EXPECT_EQ(a.reference_product_id, b.reference_product_id);
  EXPECT_EQ(a.snapshot_fingerprint, b.snapshot_fingerprint);
  EXPECT_EQ(a.id_width, b.id_width);
  EXPECT_EQ(a.ids, b.ids);
  for (size_t s = 0; s < kScoreCount; ++s) {
    ASSERT_EQ(a.columns[s].size(), b.columns[s].size());
    EXPECT_EQ(0, std::memcmp(a.columns[s].data(), b.columns[s].data(), a.columns[s].size() * 4)) << s;
  }
}

// ---- hand-made archives, for hostile inputs ----

std::string npy(std::string_view descr, std::string_view shape, std::string_view data, int major = 1) {
  std::string dict = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': " + std::string(shape) + ", }";
  dict.append((64 - (dict.size() + 11) % 64) % 64, ' ').push_back('\n');
  std::string h("\x93NUMPY", 6);
  h.push_back(char(major));
  h.push_back('\0');
  h.push_back(char(dict.size() & 0xff));
  h.push_back(char(dict.size() >> 8));
  if (major != 1) h.append(2, '\0');
  return h + dict + std::string(data);
}

std::string floats(std::vector<float> v) { return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4); }

using Entries = std::map<std::string, std::string>;

// The arrays of a valid 2-row matrix, to be spoiled one at a time.
Entries valid_entries() {
  Entries e;
  e["product_ids"] = npy("|S2", "(2,)", std::string("a\0b\0", 4));
  for (size_t s = 0; s < kScoreCount; ++s) e[std::string(score_name(Score(s)))] = npy("<f4", "(2,)", floats({0.5f, kNaN}));
  e["snapshot_fingerprint"] = npy("|u1", "(16,)", std::string(16, '\x01'));
  e["model_version"] = npy("|S3", "()", "abc");
  e["reference_product_id"] = npy("|S1", "(1,)", "r");
  return e;
}

std::string zip_of(const Entries& entries, zip_int32_t method = ZIP_CM_STORE) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &err);
  zip_t* za = zip_open_from_source(out, ZIP_CREATE | ZIP_TRUNCATE, &err);
  zip_source_keep(out);
  std::vector<std::string> keep;
  keep.reserve(entries.size());
  for (auto& [name, bytes] : entries) {
    keep.push_back(bytes);
    zip_source_t* s = zip_source_buffer(za, keep.back().data(), keep.back().size(), 0);
    zip_int64_t i = zip_file_add(za, (name + ".npy").c_str(), s, 0);
    zip_set_file_compression(za, zip_uint64_t(i), method, 0);
  }
  EXPECT_EQ(zip_close(za), 0);
  zip_stat_t st;
  zip_source_stat(out, &st);
  zip_source_open(out);
  std::string bytes(st.size, '\0');
  zip_source_read(out, bytes.data(), st.size);
  zip_source_close(out);
  zip_source_free(out);
  return bytes;
}

void expect_refused(const std::string& bytes, const std::string& needle) {
  try {
    decode_npz(bytes);
    ADD_FAILURE() << "accepted; expected a refusal naming " << needle;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Npz, RoundTrips) {
  auto m = sample();
  auto bytes = encode_npz(m);
  auto back = decode_npz(bytes);
  expect_same(m, back);
  EXPECT_EQ(back.size(), 3u);
  EXPECT_EQ(back.product_id(2), "p102");
  EXPECT_TRUE(std::isnan(back.column(Score::shape_thickness)[1]));
  EXPECT_EQ(encode_npz(back), bytes);  // deterministic
}

TEST(Npz, RoundTripsEmptyMatrixAndEmptyTexts) {
  ScoreMatrix m;
  auto back = decode_npz(encode_npz(m));
  EXPECT_EQ(back.size(), 0u);
  EXPECT_EQ(back.model_version, "");
  EXPECT_EQ(back.reference_product_id, "");
}

TEST(Npz, ReadsHandMadeAndCompressedArchives) {
  auto m = decode_npz(zip_of(valid_entries()));
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m.product_id(1), "b");
  EXPECT_EQ(m.model_version, "abc");
  EXPECT_EQ(m.reference_product_id, "r");
  EXPECT_EQ(decode_npz(zip_of(valid_entries(), ZIP_CM_DEFLATE)).ids, m.ids);
  auto v2 = valid_entries();
  v2["match"] = npy("<f4", "(2,)", floats({1, 0}), 2);
  v2["extra_array"] = npy("<f8", "(1,)", std::string(8, '\0'));
  EXPECT_EQ(decode_npz(zip_of(v2)).column(Score::match)[0], 1.0f);
}

TEST(Npz, RefusesHostileArchives) {
  expect_refused("", "not a zip");
  expect_refused("hello, this is not a zip archive at all", "not a zip");
  expect_refused(std::string("PK\3\4") + std::string(100, '\xff'), "not a zip");
  auto spoil = [](std::string name, std::string bytes) {
    auto e = valid_entries();
    if (bytes.empty()) e.erase(name);
    else e[name] = bytes;
    return zip_of(e);
  };
  expect_refused(spoil("color_secondary", ""), "missing array color_secondary");
  expect_refused(spoil("product_ids", ""), "missing array product_ids");
  expect_refused(spoil("match", npy("<f8", "(2,)", std::string(16, '\0'))), "match must have dtype <f4");
  expect_refused(spoil("match", npy(">f4", "(2,)", std::string(8, '\0'))), "match must have dtype <f4");
  expect_refused(spoil("match", npy("<f4", "(3,)", floats({1, 2, 3}))), "match has 3 rows, product_ids has 2");
  expect_refused(spoil("match", npy("<f4", "(2, 1)", floats({1, 2}))), "match must be one-dimensional");
  expect_refused(spoil("match", npy("<f4", "(2,)", floats({1}))), "match: entry holds 4 data bytes");
  expect_refused(spoil("match", npy("<f4", "(2,)", floats({1, 2, 3}))), "match: entry holds 12 data bytes");
  expect_refused(spoil("match", "not an npy"), "match is not a .npy array");
  expect_refused(spoil("match", std::string("\x93NUMPY\x01\x00\xff\xff", 10)), "match: .npy header too long");
  expect_refused(spoil("match", npy("<f4", "(2,", floats({1, 2}))), "bad .npy header");
  expect_refused(spoil("product_ids", npy("<i4", "(2,)", std::string(8, '\0'))), "product_ids must have dtype |S");
  expect_refused(spoil("product_ids", npy("|S2", "(2,)", std::string("b\0a\0", 4))), "not strictly ascending");
  expect_refused(spoil("product_ids", npy("|S2", "(2,)", std::string("a\0a\0", 4))), "not strictly ascending");
  expect_refused(spoil("product_ids", npy("|S2", "(2,)", std::string("\0\0b\0", 4))), "product_ids[0] is empty");
  expect_refused(spoil("product_ids", npy("|S3", "(2,)", std::string("a\0xb\0\0", 6))), "NUL");
  expect_refused(spoil("snapshot_fingerprint", npy("|u1", "(15,)", std::string(15, '\0'))), "16 bytes");
  expect_refused(spoil("model_version", npy("|S2", "(2,)", "abcd")), "model_version must hold a single value");
  expect_refused(spoil("model_version", npy("<f4", "()", "abcd")), "model_version must have dtype |S");
  // Huge declared sizes: refused before anything is allocated.
  expect_refused(spoil("product_ids", npy("|S1000", "(100000000,)", "")), "entry holds 0 data bytes, its header says 100000000000");
  expect_refused(spoil("product_ids", npy("|S1000", "(1000000000,)", "")), "dimension too large");
  expect_refused(spoil("product_ids", npy("|S1000", "(1000000,)", "ab")), "entry holds 2 data bytes");
  expect_refused(spoil("match", npy("<f4", "(99999999999999999999999,)", "")), "dimension too large");
}

TEST(Npz, RefusesADeclaredSizeTheFileCannotHold) {
  auto bytes = encode_npz(sample());
  // Central directory record of product_ids.npy: uncompressed size at +24.
  auto cd = bytes.find(std::string("PK\1\2", 4));
  ASSERT_NE(cd, std::string::npos);
  for (int i = 0; i < 4; ++i) bytes[cd + 24 + i] = i == 3 ? '\x7f' : '\xff';
  EXPECT_THROW(decode_npz(bytes), std::invalid_argument);
}

TEST(Npz, RefusesEncodingAnInconsistentMatrix) {
  auto m = sample();
  m.columns[3].pop_back();
  EXPECT_THROW(encode_npz(m), std::invalid_argument);
  m = sample();
  m.ids.pop_back();
  EXPECT_THROW(encode_npz(m), std::invalid_argument);
}

TEST(Npz, SurvivesCorruption) {
  // Every single-byte corruption decodes or is refused cleanly (run under ASan by scripts/test.sh).
  auto good = encode_npz(sample(40));
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    auto bytes = good;
    int flips = 1 + int(rng() % 3);
    for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] = char(rng());
    if (i % 10 == 0) bytes.resize(rng() % bytes.size());
    try {
      decode_npz(bytes);
    } catch (const std::invalid_argument&) {
    }
  }
}

// numpy.load reads what K9 writes (SPEC section 3: the seed's users open matrices in Python).
std::string python_with_numpy() {
  for (const char* py : {"python3", "/usr/bin/python3"})
    if (std::system((std::string(py) + " -c 'import numpy' >/dev/null 2>&1").c_str()) == 0) return py;
  return "";
}

TEST(Npz, NumpyLoadsIt) {
  auto py = python_with_numpy();
  ASSERT_FALSE(py.empty()) << "python3 with numpy is needed (scripts/install-deps.sh installs python3-numpy)";
  testkit::TempDir dir("npz");
  auto path = dir / "sample.npz";
  {
    std::ofstream(path, std::ios::binary) << encode_npz(sample());
  }
  std::string script =
      "import numpy as np, math\n"
      "z = np.load('" + path.string() + "', allow_pickle=False)\n"
      "ids = z['product_ids']\n"
      "assert ids.dtype == np.dtype('S8'), ids.dtype\n"
      "assert list(ids) == [b'p100', b'p101', b'p102'], ids\n"
      "assert z['match'].dtype == np.float32 and z['match'].shape == (3,)\n"
      "assert abs(float(z['color_primary'][2]) - (6/16 + 2/1024)) < 1e-7\n"
      "assert math.isnan(z['thickness'][1]) and not math.isnan(z['thickness'][0])\n"
      "assert z['model_version'][()] == b'k9-classic-1', z['model_version']\n"
      "assert z['reference_product_id'].item() == b'ref-1'\n"
      "assert list(z['snapshot_fingerprint']) == [i * 17 for i in range(16)]\n"
      "assert sorted(z.files) == sorted(['product_ids', 'match', 'type', 'material', 'length', 'width', 'thickness',"
      " 'color_primary', 'color_secondary', 'color_tertiary', 'pattern_primary', 'pattern_secondary',"
      " 'pattern_tertiary', 'snapshot_fingerprint', 'model_version', 'reference_product_id']), z.files\n"
      "print('numpy-ok')\n";
  auto script_path = path;
  script_path.replace_extension(".py");
  {
    std::ofstream(script_path) << script;
  }
  auto [out, status] = testkit::run_command(py + " " + script_path.string() + " 2>&1");
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("numpy-ok"), std::string::npos) << out;
}

}  // namespace
}  // namespace k9::search
