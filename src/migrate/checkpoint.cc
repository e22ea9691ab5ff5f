#include "migrate/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "store/item_json.h"

namespace k9::migrate {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "k9-migrate-checkpoint";

Error corrupt(const fs::path& path, const std::string& why) {
  return Error(ErrorCode::bad_request, "checkpoint " + path.string() + " is not a k9 migrate checkpoint (" + why +
                                           "); delete it to start the migration over");
}

Error unwritable(const fs::path& path, const std::string& what) {
  return Error(ErrorCode::unavailable,
               "cannot write checkpoint " + path.string() + ": " + what + ": " + std::strerror(errno));
}

void write_synced(const fs::path& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw unwritable(path, "open");
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw unwritable(path, "write");
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    throw unwritable(path, "fsync");
  }
  ::close(fd);
}

void sync_folder(const fs::path& folder) {
  int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::optional<Checkpoint> Checkpoint::load(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw corrupt(path, "cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code bad_json;
  json::value parsed = json::parse(text.str(), bad_json);
  if (bad_json) throw corrupt(path, "not JSON: " + bad_json.message());
  try {
    json::object o = parsed.as_object();
    if (o.at("format").as_string() != kFormat) throw corrupt(path, "format is not " + std::string(kFormat));
    if (o.at("version").to_number<int>() != 1) throw corrupt(path, "unknown version");
    Checkpoint c;
    c.from = json::value_to<std::string>(o.at("from"));
    c.to = json::value_to<std::string>(o.at("to"));
    for (auto& t : o.at("done").as_array()) c.done.insert(json::value_to<std::string>(t));
    c.table = json::value_to<std::string>(o.at("table"));
    c.cursor = store::item_from_dynamo_json(o.at("cursor").as_object());
    c.copied = o.at("copied").to_number<uint64_t>();
    return c;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw corrupt(path, e.what());
  }
}

void Checkpoint::save(const fs::path& path) const {
  json::array tables;
  for (auto& t : done) tables.push_back(json::value(t));
  json::object o{{"format", kFormat}, {"version", 1},        {"from", from},   {"to", to},
                 {"done", tables},    {"table", table},      {"cursor", store::to_dynamo_json(cursor)},
                 {"copied", copied}};
  fs::path partial = path;
  partial += ".partial";
  write_synced(partial, json::serialize(o) + "\n");
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) {
    errno = ec.value();
    throw unwritable(path, "rename");
  }
  sync_folder(path.parent_path());
}

}  // namespace k9::migrate
