#include "backup/backup.h"

#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <unistd.h>
#include <zip.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>

#include "core/clock.h"
#include "core/encoding.h"
#include "core/error.h"
#include "store/sqlite/store_lock.h"

namespace k9::backup {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr const char* kManifest = "manifest.json";
constexpr const char* kStore = "k9.db";

[[noreturn]] void refuse(const std::string& message) { throw Error(ErrorCode::bad_request, message); }
[[noreturn]] void failed(const std::string& message) { throw Error(ErrorCode::internal, message); }

class Sha256 {
 public:
  Sha256() { crypto_hash_sha256_init(&state_); }
  void update(const char* data, size_t n) {
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(data), n);
  }
  std::string hex() {
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state_, out);
    return hex_encode(std::string(reinterpret_cast<char*>(out), sizeof out));
  }

 private:
  crypto_hash_sha256_state state_;
};

std::string file_sha256(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) failed("cannot read " + file.string());
  Sha256 h;
  std::string buf(1 << 16, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.update(buf.data(), static_cast<size_t>(in.gcount()));
  }
  return h.hex();
}

void fsync_path(const fs::path& p, bool directory) {
  int fd = ::open(p.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) failed("cannot open " + p.string() + " to sync it");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) failed("cannot sync " + p.string());
}

std::string unique_suffix() {
  std::random_device rd;
  return std::to_string(::getpid()) + "-" + std::to_string(rd() % 1000000);
}

std::string utc_stamp() {
  std::string t = iso8601_ms(std::chrono::system_clock::now());  // 2026-12-04T22:41:05.123Z
  std::erase(t, ':');
  return t;
}

// The store as of one moment, into `to`.
void snapshot_store(const fs::path& db, const fs::path& to) {
  sqlite3* conn = nullptr;
  int rc = sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr);
  auto close = [&] { sqlite3_close_v2(conn); };
  if (rc != SQLITE_OK) {
    std::string msg = conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc);
    close();
    failed("cannot open the store " + db.string() + ": " + msg);
  }
  sqlite3_busy_timeout(conn, 10000);
  char* sql = sqlite3_mprintf("VACUUM INTO %Q", to.c_str());
  char* err = nullptr;
  rc = sqlite3_exec(conn, sql, nullptr, nullptr, &err);
  sqlite3_free(sql);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    close();
    failed("cannot snapshot the store " + db.string() + ": " + msg);
  }
  close();
}

bool skipped(const std::string& name) {
  return name == kStore || name == "k9.db-wal" || name == "k9.db-shm" || name == "k9.db.lock" ||
         name.starts_with(".k9-backup-") || name.ends_with(".partial");
}

// Copies every file under `from` into `to`, keeping relative paths. A copy, not a hard link:
// a file appended in place meanwhile (a log kept in the data folder) must not change between
// its hash and its archiving; a copy is one state of it, consistent with its own hash.
void stage_tree(const fs::path& from, const fs::path& to, const fs::path& exclude) {
  if (!fs::exists(from)) return;
  for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator(); ++it) {
    const auto& entry = *it;
    std::string name = entry.path().filename().string();
    if (entry.path() == exclude || skipped(name)) {
      if (entry.is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (entry.is_directory()) continue;
    if (!entry.is_regular_file()) continue;  // sockets, fifos: not data
    fs::path target = to / fs::relative(entry.path(), from);
    fs::create_directories(target.parent_path());
    std::error_code ec;
    fs::copy_file(entry.path(), target, fs::copy_options::overwrite_existing, ec);
    if (ec && fs::exists(entry.path())) failed("cannot copy " + entry.path().string() + ": " + ec.message());
  }
}

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

struct Entry {
  std::string path;
  uint64_t size;
  std::string sha256;
  unsigned mode = 0600;  // permission bits, restored as they were (signing keys are 0600)
};

bool safe_entry_path(const std::string& p) {
  if (p.empty() || p.front() == '/' || p.find('\\') != std::string::npos) return false;
  for (auto& part : fs::path(p)) if (part == ".." || part == ".") return false;
  return true;
}

std::vector<Entry> read_manifest(zip_t* z, const std::string& name) {
  zip_stat_t st;
  if (zip_stat(z, kManifest, 0, &st) != 0) refuse(name + ": no manifest.json: not a K9 backup, or truncated");
  std::string text(st.size, '\0');
  zip_file_t* f = zip_fopen(z, kManifest, 0);
  if (!f || zip_fread(f, text.data(), st.size) != static_cast<zip_int64_t>(st.size)) {
    if (f) zip_fclose(f);
    refuse(name + ": manifest.json is unreadable");
  }
  zip_fclose(f);
  std::vector<Entry> out;
  try {
    auto doc = json::parse(text).as_object();
    if (doc.at("format").as_string() != "k9-backup") refuse(name + ": manifest.json: not a K9 backup");
    if (doc.at("version").to_number<int>() != 1)
      refuse(name + ": manifest.json: version " + json::serialize(doc.at("version")) + " is newer than this k9");
    std::set<std::string> seen;
    for (auto& v : doc.at("files").as_array()) {
      auto& o = v.as_object();
      Entry e{std::string(o.at("path").as_string()), o.at("size").to_number<uint64_t>(),
              std::string(o.at("sha256").as_string())};
      if (auto* m = o.if_contains("mode")) e.mode = m->to_number<unsigned>() & 0777;
      if (!safe_entry_path(e.path) || e.path == kManifest || !seen.insert(e.path).second)
        refuse(name + ": manifest.json: bad or repeated path \"" + e.path + "\"");
      out.push_back(std::move(e));
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    refuse(name + ": manifest.json is malformed: " + e.what());
  }
  if (std::none_of(out.begin(), out.end(), [](auto& e) { return e.path == kStore; }))
    refuse(name + ": manifest.json lists no k9.db");
  return out;
}

// Opens, checks the checksum file and the manifest against the entries; with `extract_to`,
// writes each entry there while checking it.
BackupSummary check_archive(const fs::path& in, const fs::path* extract_to) {
  const std::string name = in.string();
  if (!fs::is_regular_file(in)) refuse(name + ": no such backup file");
  BackupSummary summary;
  fs::path sum_file = in;
  sum_file += ".sha256";
  if (fs::exists(sum_file)) {  // without it, each entry's own SHA-256 below is the check
    summary.sha256 = file_sha256(in);
    std::ifstream s(sum_file);
    std::string expected;
    s >> expected;
    if (expected != summary.sha256)
      refuse(name + ": its SHA-256 is not the one in " + sum_file.string() + ": the file is damaged or truncated");
  }
  int zerr = 0;
  std::unique_ptr<zip_t, ZipCloser> z(zip_open(in.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &zerr));
  if (!z) {
    zip_error_t e;
    zip_error_init_with_code(&e, zerr);
    std::string why = zip_error_strerror(&e);
    zip_error_fini(&e);
    refuse(name + ": not a readable backup archive (" + why + ")");
  }
  auto entries = read_manifest(z.get(), name);
  std::set<std::string> listed;
  for (auto& e : entries) listed.insert(e.path);
  zip_int64_t n = zip_get_num_entries(z.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    std::string entry = zip_get_name(z.get(), static_cast<zip_uint64_t>(i), 0);
    if (entry != kManifest && !entry.ends_with("/") && !listed.count(entry))
      refuse(name + ": " + entry + " is in the archive but not in its manifest");
  }
  std::string buf(1 << 16, '\0');
  for (auto& e : entries) {
    zip_file_t* f = zip_fopen(z.get(), e.path.c_str(), 0);
    if (!f) refuse(name + ": " + e.path + " is in the manifest but not in the archive");
    std::ofstream out;
    if (extract_to) {
      fs::path target = *extract_to / e.path;
      fs::create_directories(target.parent_path());
      out.open(target, std::ios::binary | std::ios::trunc);
      if (!out) {
        zip_fclose(f);
        failed("cannot write " + target.string());
      }
    }
    Sha256 h;
    uint64_t size = 0;
    for (;;) {
      zip_int64_t got = zip_fread(f, buf.data(), buf.size());
      if (got < 0) {
        std::string why = zip_error_strerror(zip_file_get_error(f));
        zip_fclose(f);
        refuse(name + ": " + e.path + " cannot be read (" + why + ")");
      }
      if (got == 0) break;
      h.update(buf.data(), static_cast<size_t>(got));
      size += static_cast<uint64_t>(got);
      if (extract_to) out.write(buf.data(), got);
    }
    zip_fclose(f);
    if (size != e.size || h.hex() != e.sha256)
      refuse(name + ": " + e.path + " does not match its manifest entry (size or SHA-256)");
    if (extract_to) {
      out.close();
      if (!out) failed("cannot write " + (*extract_to / e.path).string());
      fs::permissions(*extract_to / e.path, static_cast<fs::perms>(e.mode), fs::perm_options::replace);
    }
    ++summary.files;
    summary.bytes += size;
  }
  return summary;
}

void check_store(const fs::path& db) {
  sqlite3* conn = nullptr;
  int rc = sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr);
  std::string result;
  if (rc == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(conn, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      result = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
  }
  sqlite3_close_v2(conn);
  if (result != "ok") refuse("the restored store does not pass SQLite's integrity check: " + result);
}

}  // namespace

BackupSummary write_backup(const fs::path& data, const fs::path& blobs_dir, const fs::path& out) {
  const fs::path db = data / kStore;
  if (!fs::is_regular_file(db)) refuse("no store at " + db.string() + " (k9 backup is for the embedded store)");
  fs::path out_abs = fs::absolute(out);
  fs::create_directories(out_abs.parent_path());
  fs::path stage = data / (".k9-backup-" + unique_suffix());
  fs::path partial = out_abs;
  partial += ".partial";
  BackupSummary summary;
  try {
    fs::create_directories(stage);
    snapshot_store(db, stage / kStore);  // first: every write acknowledged before now
    stage_tree(data, stage, out_abs);
    fs::path blobs_abs = fs::weakly_canonical(blobs_dir), data_abs = fs::weakly_canonical(data);
    auto rel = blobs_abs.lexically_relative(data_abs);
    if (rel.empty() || *rel.begin() == "..") stage_tree(blobs_abs, stage / "blobs", out_abs);

    std::vector<Entry> entries;
    for (auto& f : fs::recursive_directory_iterator(stage)) {
      if (!f.is_regular_file()) continue;
      entries.push_back({fs::relative(f.path(), stage).generic_string(), f.file_size(), file_sha256(f.path()),
                         static_cast<unsigned>(f.status().permissions()) & 0777u});
      summary.bytes += entries.back().size;
    }
    std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.path < b.path; });
    json::array files;
    for (auto& e : entries)
      files.push_back(json::object{{"path", e.path}, {"size", e.size}, {"sha256", e.sha256}, {"mode", e.mode}});
    std::string manifest = json::serialize(json::object{{"format", "k9-backup"}, {"version", 1},
                                                        {"created_at", iso8601_ms(std::chrono::system_clock::now())},
                                                        {"files", std::move(files)}});

    int zerr = 0;
    zip_t* z = zip_open(partial.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!z) failed("cannot create " + partial.string());
    std::unique_ptr<zip_t, ZipCloser> guard(z);
    auto add = [&](const std::string& name, zip_source_t* src, bool compress) {
      if (!src) failed("cannot add " + name + " to the backup: " + zip_strerror(z));
      zip_int64_t i = zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8);
      if (i < 0) {
        zip_source_free(src);
        failed("cannot add " + name + " to the backup: " + zip_strerror(z));
      }
      zip_set_file_compression(z, static_cast<zip_uint64_t>(i), compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 1);
    };
    add(kManifest, zip_source_buffer(z, manifest.data(), manifest.size(), 0), true);
    for (auto& e : entries) {
      // Photos and matrices are compressed already; the store and small text files are not.
      bool compress = e.path == kStore || e.path.ends_with(".json") || e.path.ends_with(".jsonl");
      add(e.path, zip_source_file(z, (stage / e.path).c_str(), 0, -1), compress);
    }
    if (zip_close(z) != 0) failed("cannot write " + partial.string() + ": " + zip_strerror(z));
    guard.release();
    // It holds the signing keys and secrets: readable by its owner only, as they are.
    fs::permissions(partial, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    summary.files = entries.size();
    fsync_path(partial, false);
    summary.sha256 = file_sha256(partial);
    fs::rename(partial, out_abs);
    fs::path sum_file = out_abs;
    sum_file += ".sha256";
    std::ofstream(sum_file) << summary.sha256 << "  " << out_abs.filename().string() << "\n";
    fsync_path(sum_file, false);
    fsync_path(out_abs.parent_path(), true);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(stage, ec);
    fs::remove(partial, ec);
    throw;
  }
  std::error_code ec;
  fs::remove_all(stage, ec);
  return summary;
}

BackupSummary verify_backup(const fs::path& in) { return check_archive(in, nullptr); }

RestoreSummary restore_backup(const fs::path& in, const fs::path& data, bool replace) {
  fs::path target = fs::absolute(data).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  const fs::path db = target / kStore;
  std::optional<std::optional<store::sqlite::StoreLock>> lock;  // held until the new folder is in place
  bool occupied = false;  // anything in the folder but the lock file
  if (fs::exists(target)) {
    if (!fs::is_directory(target)) refuse(target.string() + " is not a folder");
    lock.emplace(store::sqlite::StoreLock::try_exclusive(db.string()));
    if (!*lock)
      refuse("the store in " + target.string() + " is open in another process (k9 serve?); stop it before restoring");
    for (auto& f : fs::directory_iterator(target)) occupied |= f.path().filename() != "k9.db.lock";
    if (occupied && !replace)
      refuse(target.string() + (fs::exists(db) ? " holds a store already" : " is not empty") +
             "; restore into an empty folder, or pass --replace (the current folder is kept beside it)");
  }
  fs::path staging = target;
  staging += ".restoring-" + unique_suffix();
  RestoreSummary summary;
  try {
    fs::create_directories(staging);
    summary.backup = check_archive(in, &staging);
    check_store(staging / kStore);
    for (auto& f : fs::recursive_directory_iterator(staging))
      if (f.is_regular_file()) fsync_path(f.path(), false);
    if (occupied) {
      fs::path previous = target;
      previous += ".before-restore-" + utc_stamp();
      fs::rename(target, previous);
      summary.previous = previous;
    } else if (fs::exists(target)) {
      fs::remove_all(target);  // the lock file only
    }
    fs::rename(staging, target);
    fsync_path(target.parent_path(), true);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(staging, ec);
    throw;
  }
  return summary;
}

}  // namespace k9::backup
