// DynamoDB's export layout written and read back, and every way an export can be wrong: each
// refused with the file (and line) named. (That the place it is imported into stays unchanged
// is migrate/transfer_test.cc's and tests/test_import_export.py's to show.)
#include "table_export/table_export.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "store/item_json.h"
#include "table_export/gzip_lines.h"
#include "testing/base/temp_dir.h"

namespace k9::table_export {
namespace {

namespace fs = std::filesystem;
using store::AttributeValue;
using store::Item;

Item item(int i) {
  return {{"user_id", AttributeValue::S("u" + std::to_string(i % 7))},
          {"id", AttributeValue::S("r-" + std::to_string(i))},
          {"n", AttributeValue::N("12345678901234567890.12345678901234567" + std::to_string(i % 10))},
          {"b", AttributeValue::B(std::string("\x00\xff\x10", 3))},
          {"ss", AttributeValue::SS({"a", "b"})},
          {"ns", AttributeValue::NS({"1", "2.5"})},
          {"l", AttributeValue::L({AttributeValue::Bool(true), AttributeValue::Null(), AttributeValue::S("é")})},
          {"m", AttributeValue::M({{"deep", AttributeValue::M({{"x", AttributeValue::N("-0.0001")}})}})}};
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary | std::ios::trunc) << text; }

class TableExportTest : public ::testing::Test {
 protected:
  // An export of `n` items, 10 a file; its folder.
  fs::path make(size_t n) {
    TableExportWriter w(dir_.path(), "k9-reports", 10);
    for (size_t i = 0; i < n; ++i) w.add(item(int(i)));
    return w.finish().folder;
  }
  // The error's message reading it, "" when it reads.
  std::string read_error(const fs::path& dir) {
    try {
      verify_table_export(dir);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_request);
      return e.message();
    }
    return "";
  }
  // An export as AWS writes it: no .md5 files beside the manifests (it names its own .checksum).
  static void drop_manifest_md5s(const fs::path& folder) {
    fs::remove(folder / "manifest-files.md5");
    fs::remove(folder / "manifest-summary.md5");
  }
  // Replaces the first data file's lines, and records its new MD5 and `count` in the manifest.
  static fs::path rewrite_first_file(const fs::path& folder, const std::vector<std::string>& lines, size_t count) {
    std::string manifest = read(folder / "manifest-files.json");
    auto first = boost::json::parse(manifest.substr(0, manifest.find('\n'))).as_object();
    fs::path data = folder.parent_path().parent_path() / std::string(first.at("dataFileS3Key").as_string());
    {
      GzipLineWriter w(data);
      for (auto& l : lines) w.write_line(l);
      w.close();
    }
    first["md5Checksum"] = file_md5_base64(data);
    first["itemCount"] = count;
    write(folder / "manifest-files.json", boost::json::serialize(first) + "\n" + manifest.substr(manifest.find('\n') + 1));
    drop_manifest_md5s(folder);
    return data;
  }

  testkit::TempDir dir_{"table-export"};
};

TEST_F(TableExportTest, RoundTripKeepsEveryAttributeExactly) {
  fs::path folder = make(25);
  EXPECT_TRUE(fs::exists(folder / "_started"));
  auto summary = verify_table_export(dir_.path());
  EXPECT_EQ(summary.items, 25u);
  EXPECT_EQ(summary.table, "k9-reports");
  EXPECT_EQ(summary.data_files.size(), 3u);  // 10 + 10 + 5
  std::vector<Item> back;
  read_table_export(folder, [&](Item it) { back.push_back(std::move(it)); });  // the export's own folder too
  ASSERT_EQ(back.size(), 25u);
  for (size_t i = 0; i < back.size(); ++i) EXPECT_EQ(store::serialize_item(back[i]), store::serialize_item(item(int(i))));
  // The manifests say what AWS's do.
  auto head = boost::json::parse(read(folder / "manifest-summary.json")).as_object();
  EXPECT_EQ(head.at("version"), "2020-06-30");
  EXPECT_EQ(head.at("outputFormat"), "DYNAMODB_JSON");
  EXPECT_EQ(head.at("itemCount"), 25);
  EXPECT_EQ(std::string(head.at("manifestFilesS3Key").as_string()),
            fs::relative(folder / "manifest-files.json", dir_.path()).generic_string());
  // Each data line is {"Item": {...}} of DynamoDB JSON.
  size_t lines = 0;
  for_each_gzip_line(summary.data_files[0], [&](std::string_view line, size_t) {
    auto o = boost::json::parse(line).as_object();
    EXPECT_EQ(o.size(), 1u);
    EXPECT_TRUE(o.at("Item").at("n").at("N").as_string().starts_with("12345"));
    ++lines;
  });
  EXPECT_EQ(lines, 10u);
}

TEST_F(TableExportTest, AnEmptyTableIsAnExportOfNoItems) {
  make(0);
  EXPECT_EQ(verify_table_export(dir_.path()).items, 0u);
}

TEST_F(TableExportTest, AnUnfinishedExportIsRefused) {
  {
    TableExportWriter w(dir_.path(), "k9-reports", 10);
    w.add(item(1));
  }  // no finish(): no manifests
  EXPECT_NE(read_error(dir_.path()).find("did not finish"), std::string::npos);
  EXPECT_NE(read_error(dir_.path() / "absent").find("no DynamoDB export here"), std::string::npos);
}

TEST_F(TableExportTest, ATruncatedDataFileIsRefusedByItsChecksum) {
  fs::path folder = make(25);
  fs::path data = verify_table_export(folder).data_files[1];
  std::string bytes = read(data);
  write(data, bytes.substr(0, bytes.size() / 2));
  std::string m = read_error(dir_.path());
  EXPECT_NE(m.find(data.string()), std::string::npos) << m;
  EXPECT_NE(m.find("MD5"), std::string::npos) << m;
}

TEST_F(TableExportTest, ATruncatedDataFileWithAMatchingManifestIsRefusedAsCutShort) {
  fs::path folder = make(25);
  fs::path data = verify_table_export(folder).data_files[0];
  std::string bytes = read(data);
  write(data, bytes.substr(0, bytes.size() - 6));  // the gzip trailer cut
  std::string manifest = read(folder / "manifest-files.json");
  auto first = boost::json::parse(manifest.substr(0, manifest.find('\n'))).as_object();
  first["md5Checksum"] = file_md5_base64(data);
  write(folder / "manifest-files.json", boost::json::serialize(first) + "\n" + manifest.substr(manifest.find('\n') + 1));
  drop_manifest_md5s(folder);
  std::string m = read_error(dir_.path());
  EXPECT_NE(m.find(data.string()), std::string::npos) << m;
  EXPECT_NE(m.find("cut short"), std::string::npos) << m;
}

TEST_F(TableExportTest, AnEditedManifestIsRefusedByItsChecksum) {
  fs::path folder = make(5);
  std::string manifest = read(folder / "manifest-files.json");
  manifest.replace(manifest.find("\"itemCount\":5"), 13, "\"itemCount\":4");
  write(folder / "manifest-files.json", manifest);
  std::string m = read_error(dir_.path());
  EXPECT_NE(m.find("manifest-files.json: does not match its checksum"), std::string::npos) << m;
}

TEST_F(TableExportTest, ItemCountsMustMatchTheManifests) {
  fs::path folder = make(15);
  rewrite_first_file(folder, {R"({"Item":{"id":{"S":"only"}}})"}, 10);
  std::string m = read_error(dir_.path());
  EXPECT_NE(m.find("holds 1 items; manifest-files.json says 10"), std::string::npos) << m;
  rewrite_first_file(folder, {R"({"Item":{"id":{"S":"only"}}})"}, 1);
  m = read_error(dir_.path());
  EXPECT_NE(m.find("manifest-summary.json: says 15 items; the data files hold 6"), std::string::npos) << m;
}

TEST_F(TableExportTest, AnItemOfTheWrongShapeIsNamedByFileAndLine) {
  fs::path folder = make(12);
  for (std::string bad : {R"({"Item":{"n":{"N":"not a number"}}})", R"({"Item":{"x":{"Q":"1"}}})", R"({"item":{}})",
                          R"([1,2])", "{\"Item\":{\"id\":{\"S\":\"x\"}}"}) {
    fs::path data = rewrite_first_file(folder, {R"({"Item":{"id":{"S":"fine"}}})", bad}, 2);
    std::string m = read_error(dir_.path());
    EXPECT_NE(m.find(data.string() + ": line 2"), std::string::npos) << bad << " -> " << m;
  }
}

TEST_F(TableExportTest, KeysOutsideTheExportAndNonGzipFilesAreRefused) {
  fs::path folder = make(3);
  std::string manifest = read(folder / "manifest-files.json");
  auto first = boost::json::parse(manifest.substr(0, manifest.find('\n'))).as_object();
  fs::path data = dir_.path() / std::string(first.at("dataFileS3Key").as_string());
  first["dataFileS3Key"] = "../../etc/passwd";
  write(folder / "manifest-files.json", boost::json::serialize(first) + "\n");
  drop_manifest_md5s(folder);
  EXPECT_NE(read_error(dir_.path()).find("outside the export"), std::string::npos);

  write(data, R"({"Item":{"id":{"S":"plain"}}})" "\n");
  first["dataFileS3Key"] = fs::relative(data, dir_.path()).generic_string();
  first["md5Checksum"] = file_md5_base64(data);
  first["itemCount"] = 1;
  write(folder / "manifest-files.json", boost::json::serialize(first) + "\n");
  std::string m = read_error(dir_.path());
  EXPECT_NE(m.find("not a gzip file"), std::string::npos) << m;
}

// DynamoDB's export into s3://bucket/2020-Nov names its files 2020-Nov/AWSDynamoDB/...; the
// folder downloaded from that prefix reads as it is.
TEST_F(TableExportTest, KeysWithTheS3PrefixOfAnAwsExportRead) {
  fs::path folder = make(15);
  std::string manifest = read(folder / "manifest-files.json"), prefixed;
  std::istringstream lines(manifest);
  for (std::string line; std::getline(lines, line);) {
    auto o = boost::json::parse(line).as_object();
    o["dataFileS3Key"] = "2020-Nov/" + std::string(o.at("dataFileS3Key").as_string());
    prefixed += boost::json::serialize(o) + "\n";
  }
  write(folder / "manifest-files.json", prefixed);
  auto head = boost::json::parse(read(folder / "manifest-summary.json")).as_object();
  head["manifestFilesS3Key"] = "2020-Nov/" + std::string(head.at("manifestFilesS3Key").as_string());
  head["s3Prefix"] = "2020-Nov";
  write(folder / "manifest-summary.json", boost::json::serialize(head));
  drop_manifest_md5s(folder);
  EXPECT_EQ(verify_table_export(dir_.path()).items, 15u);
}

TEST_F(TableExportTest, TwoExportsInOneFolderMustBeNamed) {
  fs::path a = make(2);
  fs::path b = make(3);
  EXPECT_NE(read_error(dir_.path()).find("more than one export"), std::string::npos);
  EXPECT_EQ(verify_table_export(a).items, 2u);
  EXPECT_EQ(verify_table_export(b).items, 3u);
}

}  // namespace
}  // namespace k9::table_export
