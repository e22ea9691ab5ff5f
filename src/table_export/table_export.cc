#include "table_export/table_export.h"

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>

#include <boost/json.hpp>

#include "core/clock.h"
#include "core/encoding.h"
#include "core/error.h"
#include "core/json.h"
#include "core/random.h"
#include "store/item_json.h"
#include "table_export/gzip_lines.h"

namespace k9::table_export {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr const char* kVersion = "2020-06-30";
constexpr const char* kArnPrefix = "arn:aws:dynamodb:local:000000000000:table/";

Error bad(const fs::path& file, const std::string& what) {
  return Error(ErrorCode::bad_request, file.string() + ": " + what);
}

// DynamoDB's export ids: 14 digits of milliseconds, a dash, 8 hex digits.
std::string new_export_id(std::chrono::system_clock::time_point now) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  char digits[24];
  std::snprintf(digits, sizeof digits, "%014lld", static_cast<long long>(ms));
  return std::string(digits) + "-" + hex_encode(random_bytes(4));
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw Error(ErrorCode::internal, path.string() + ": write failed (disk full?)");
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw bad(path, "missing or unreadable");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json::object parse_object(std::string_view text, const fs::path& file, size_t line) {
  std::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object())
    throw bad(file, (line ? "line " + std::to_string(line) + ": " : std::string()) + "not a JSON object");
  return std::move(v.as_object());
}

const json::string& text_field(const json::object& o, const char* name, const fs::path& file, size_t line) {
  auto* v = o.if_contains(name);
  if (!v || !v->is_string())
    throw bad(file, (line ? "line " + std::to_string(line) + ": " : std::string()) + name + " must be a string");
  return v->as_string();
}

uint64_t count_field(const json::object& o, const char* name, const fs::path& file, size_t line) {
  auto* v = o.if_contains(name);
  if (!v || !(v->is_int64() || v->is_uint64()) || (v->is_int64() && v->as_int64() < 0))
    throw bad(file, (line ? "line " + std::to_string(line) + ": " : std::string()) + name +
                        " must be a whole number of items");
  return v->to_number<uint64_t>();
}

// A key from a manifest, as a path below `root`: relative, no "..".
// An export made by DynamoDB into s3://bucket/PREFIX names its files PREFIX/AWSDynamoDB/...:
// the prefix is dropped, as the export was downloaded without it.
fs::path below(const fs::path& root, std::string_view key, const fs::path& manifest, size_t line) {
  if (auto at = key.find("AWSDynamoDB/"); at != std::string_view::npos && at > 0 && key[at - 1] == '/')
    key.remove_prefix(at);
  fs::path rel(key);
  bool ok = !key.empty() && rel.is_relative();
  for (auto& part : rel)
    if (part == "..") ok = false;
  if (!ok) throw bad(manifest, "line " + std::to_string(line) + ": a file key outside the export: " + std::string(key));
  return root / rel;
}

// The folder holding manifest-summary.json, and the root its keys are relative to.
std::pair<fs::path, fs::path> locate(const fs::path& dir) {
  if (fs::exists(dir / "manifest-summary.json")) {
    // dir is DIR/AWSDynamoDB/<id>: the keys are relative to DIR.
    return {dir, dir.parent_path().parent_path()};
  }
  fs::path exports = dir / "AWSDynamoDB";
  std::optional<fs::path> found;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(exports, ec)) {
    if (!fs::exists(e.path() / "manifest-summary.json")) continue;
    if (found) throw bad(dir, "holds more than one export; name one (" + e.path().string() + ")");
    found = e.path();
  }
  if (!found)
    throw bad(dir, "no DynamoDB export here (no manifest-summary.json in it or in AWSDynamoDB/*/): "
                   "missing, or an export that did not finish");
  return {*found, dir};
}

struct DataFile {
  fs::path path;
  uint64_t items;
  std::string md5;
};

void check_md5_file(const fs::path& file) {
  fs::path md5 = fs::path(file).replace_extension(".md5");
  if (!fs::exists(md5)) return;  // AWS names its own .checksum; K9 writes .md5
  std::string want = read_file(md5);
  while (!want.empty() && (want.back() == '\n' || want.back() == '\r')) want.pop_back();
  if (file_md5_base64(file) != want) throw bad(file, "does not match its checksum " + md5.filename().string());
}

}  // namespace

struct TableExportWriter::State {
  fs::path root, folder;
  const Clock* clock = nullptr;
  std::string table, id, started;
  uint64_t per_file = 0, in_file = 0, total = 0;
  std::unique_ptr<GzipLineWriter> out;
  fs::path current;
  std::vector<DataFile> done;
  std::string line;
};

TableExportWriter::TableExportWriter(const fs::path& dir, std::string table, uint64_t items_per_file,
                                     const Clock& clock)
    : s_(std::make_unique<State>()) {
  s_->root = dir;
  s_->table = std::move(table);
  s_->clock = &clock;
  s_->id = new_export_id(clock.now());
  s_->folder = dir / "AWSDynamoDB" / s_->id;
  s_->per_file = items_per_file ? items_per_file : 1;
  s_->started = iso8601_ms(clock.now());
  fs::create_directories(s_->folder / "data");
  write_file(s_->folder / "_started", "");
}

TableExportWriter::~TableExportWriter() = default;

void TableExportWriter::add(const store::Item& item) {
  if (!s_->out) {
    s_->current = s_->folder / "data" / (hex_encode(random_bytes(12)) + ".json.gz");
    s_->out = std::make_unique<GzipLineWriter>(s_->current);
    s_->in_file = 0;
  }
  s_->line.assign("{\"Item\":");
  s_->line += store::serialize_item(item);
  s_->line += '}';
  s_->out->write_line(s_->line);
  ++s_->in_file;
  ++s_->total;
  if (s_->in_file == s_->per_file) {
    s_->out->close();
    s_->out.reset();
    s_->done.push_back({s_->current, s_->in_file, file_md5_base64(s_->current)});
  }
}

ExportSummary TableExportWriter::finish() {
  if (s_->out) {
    s_->out->close();
    s_->out.reset();
    s_->done.push_back({s_->current, s_->in_file, file_md5_base64(s_->current)});
  }
  auto key = [&](const fs::path& p) { return fs::relative(p, s_->root).generic_string(); };
  std::string files;
  ExportSummary summary{s_->folder, s_->table, s_->total, {}};
  for (auto& f : s_->done) {
    json::object line{{"itemCount", f.items},
                      {"md5Checksum", f.md5},
                      {"etag", hex_encode(*base64_decode(f.md5))},
                      {"dataFileS3Key", key(f.path)}};
    files += json::serialize(line) + "\n";
    summary.data_files.push_back(f.path);
  }
  write_file(s_->folder / "manifest-files.json", files);
  write_file(s_->folder / "manifest-files.md5", md5_base64(files));
  std::string arn = kArnPrefix + s_->table;
  json::object head{{"version", kVersion},
                    {"exportArn", arn + "/export/" + s_->id},
                    {"startTime", s_->started},
                    {"endTime", iso8601_ms(s_->clock->now())},
                    {"tableArn", arn},
                    {"tableId", s_->table},
                    {"exportTime", s_->started},
                    {"s3Bucket", nullptr},
                    {"s3Prefix", nullptr},
                    {"s3SseAlgorithm", nullptr},
                    {"s3SseKmsKeyId", nullptr},
                    {"manifestFilesS3Key", key(s_->folder / "manifest-files.json")},
                    {"billedSizeBytes", 0},
                    {"itemCount", s_->total},
                    {"outputFormat", "DYNAMODB_JSON"}};
  std::string text = json::serialize(head) + "\n";
  write_file(s_->folder / "manifest-summary.json", text);  // last: the export is complete
  write_file(s_->folder / "manifest-summary.md5", md5_base64(text));
  return summary;
}

namespace {

// Reads the manifests and checks every data file; with `sink`, hands out the items too.
ExportSummary walk(const fs::path& dir, const std::function<void(store::Item)>* sink) {
  auto [folder, root] = locate(dir);
  fs::path summary_file = folder / "manifest-summary.json";
  check_md5_file(summary_file);
  json::object head = parse_object(read_file(summary_file), summary_file, 0);
  if (auto* f = head.if_contains("outputFormat"); f && (!f->is_string() || f->as_string() != "DYNAMODB_JSON"))
    throw bad(summary_file, "outputFormat must be DYNAMODB_JSON (ION exports are not read)");
  uint64_t total = count_field(head, "itemCount", summary_file, 0);
  ExportSummary out{folder, {}, 0, {}};
  if (auto* arn = head.if_contains("tableArn"); arn && arn->is_string()) {
    std::string a(arn->as_string());
    out.table = a.substr(a.rfind('/') + 1);
  }
  fs::path files_manifest = below(root, text_field(head, "manifestFilesS3Key", summary_file, 0), summary_file, 0);
  check_md5_file(files_manifest);
  std::vector<DataFile> files;
  {
    std::istringstream lines(read_file(files_manifest));
    std::string line;
    for (size_t n = 1; std::getline(lines, line); ++n) {
      if (line.empty()) continue;
      json::object o = parse_object(line, files_manifest, n);
      files.push_back({below(root, text_field(o, "dataFileS3Key", files_manifest, n), files_manifest, n),
                       count_field(o, "itemCount", files_manifest, n),
                       std::string(text_field(o, "md5Checksum", files_manifest, n))});
    }
  }
  for (auto& f : files) {
    if (!fs::exists(f.path)) throw bad(f.path, "named by " + files_manifest.filename().string() + " but missing");
    if (file_md5_base64(f.path) != f.md5)
      throw bad(f.path, "its MD5 is not the one " + files_manifest.filename().string() + " records (changed or cut)");
    uint64_t items = 0;
    for_each_gzip_line(f.path, [&](std::string_view line, size_t n) {
      if (line.empty()) return;
      json::object o = parse_object(line, f.path, n);
      auto* item = o.if_contains("Item");
      if (!item || !item->is_object() || o.size() != 1)
        throw bad(f.path, "line " + std::to_string(n) + ": not {\"Item\": {...}}");
      store::Item parsed;
      try {
        parsed = store::item_from_dynamo_json(item->as_object());
      } catch (const std::exception& e) {
        throw bad(f.path, "line " + std::to_string(n) + ": not an item of DynamoDB JSON: " + e.what());
      }
      ++items;
      if (sink) (*sink)(std::move(parsed));
    });
    if (items != f.items)
      throw bad(f.path, "holds " + std::to_string(items) + " items; " + files_manifest.filename().string() +
                            " says " + std::to_string(f.items));
    out.items += items;
    out.data_files.push_back(f.path);
  }
  if (out.items != total)
    throw bad(summary_file, "says " + std::to_string(total) + " items; the data files hold " + std::to_string(out.items));
  return out;
}

}  // namespace

ExportSummary verify_table_export(const fs::path& dir) { return walk(dir, nullptr); }

ExportSummary read_table_export(const fs::path& dir, const std::function<void(store::Item)>& sink) {
  return walk(dir, &sink);
}

}  // namespace k9::table_export
