#include "blobs/fs/fs_blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/encoding.h"
#include "core/random.h"

namespace k9::blobs::fs {

namespace stdfs = std::filesystem;

namespace {

constexpr const char* kTypeAttr = "user.k9.content-type";
constexpr std::string_view kTempPrefix = ".k9tmp-";
constexpr size_t kChunk = 1 << 20;

[[noreturn]] void fail(const std::string& what, int err = errno) {
  throw Unavailable("blob store: " + what + ": " + std::strerror(err));
}

// Closes a descriptor on every path out.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

void fsync_dir(const stdfs::path& dir) {
  Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.fd < 0 || ::fsync(d.fd) != 0) fail("fsync " + dir.string());
}

void write_all(int fd, std::string_view bytes, const stdfs::path& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("write " + path.string());
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

std::string guess_type(const std::string& key) {
  auto dot = key.rfind('.');
  std::string ext = dot == std::string::npos ? "" : key.substr(dot + 1);
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "png") return "image/png";
  if (ext == "webp") return "image/webp";
  if (ext == "json") return "application/json";
  return std::string(kDefaultContentType);
}

std::string read_type(int fd, const std::string& key) {
  char buf[256];
  ssize_t n = ::fgetxattr(fd, kTypeAttr, buf, sizeof buf);
  if (n > 0) return std::string(buf, static_cast<size_t>(n));
  return guess_type(key);
}

TimePoint mtime_of(const struct stat& st) {
  return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
}

// Opens the regular file at `path` into `fd` and describes it; nullopt when there is none
// (absent, a folder, or a symlink: keys never name those).
std::optional<BlobInfo> open_blob(const stdfs::path& path, const std::string& key, Fd& fd) {
  fd.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd.fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return std::nullopt;
    fail("open " + path.string());
  }
  struct stat st;
  if (::fstat(fd.fd, &st) != 0) fail("stat " + path.string());
  if (!S_ISREG(st.st_mode)) return std::nullopt;
  return BlobInfo{key, static_cast<uint64_t>(st.st_size), read_type(fd.fd, key), mtime_of(st)};
}

}  // namespace

FsBlobStore::FsBlobStore(stdfs::path root, std::shared_ptr<const FileUrlSigner> signer, const Clock& clock)
    : root_(std::move(root)), signer_(std::move(signer)), clock_(clock) {
  std::error_code ec;
  stdfs::create_directories(root_, ec);
  if (ec) throw Unavailable("blob store: cannot create " + root_.string() + ": " + ec.message());
}

// Makes every missing folder of the key (fsyncing each new folder's parent) and answers the
// key's folder. A component that is an object already makes the key invalid.
stdfs::path FsBlobStore::parent_for_write(const std::string& key) {
  stdfs::path dir = root_;
  stdfs::path rel = stdfs::path(key).parent_path();
  for (const auto& part : rel) {
    stdfs::path next = dir / part;
    if (::mkdir(next.c_str(), 0755) == 0) {
      fsync_dir(dir);
    } else if (errno != EEXIST) {
      if (errno == ENOTDIR) throw InvalidKey("blob key '" + key + "' is under an existing object");
      fail("mkdir " + next.string());
    }
    struct stat st;
    if (::lstat(next.c_str(), &st) != 0) fail("stat " + next.string());
    if (!S_ISDIR(st.st_mode)) throw InvalidKey("blob key '" + key + "' is under an existing object");
    dir = std::move(next);
  }
  return dir;
}

template <class WriteTo>
void FsBlobStore::write_atomically(const std::string& key, const std::string& content_type, WriteTo write_to) {
  check_key(key);
  stdfs::path target = root_ / key;
  for (int attempt = 0;; ++attempt) {
    stdfs::path dir = parent_for_write(key);
    stdfs::path tmp = dir / (std::string(kTempPrefix) + hex_encode(random_bytes(8)));
    int raw = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (raw < 0 && errno == ENOENT && attempt < 3) continue;  // a concurrent remove() pruned the folder
    if (raw < 0) fail("create " + tmp.string());
    try {
      Fd fd(raw);
      write_to(fd.fd, tmp);
      std::string type = content_type.empty() ? std::string(kDefaultContentType) : content_type;
      if (::fsetxattr(fd.fd, kTypeAttr, type.data(), type.size(), 0) != 0 && errno != ENOTSUP)
        fail("set content type of " + tmp.string());
      if (::fsync(fd.fd) != 0) fail("fsync " + tmp.string());
      struct stat st;
      if (::lstat(target.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        throw InvalidKey("blob key '" + key + "' is the folder of other objects");
      if (::rename(tmp.c_str(), target.c_str()) != 0) fail("rename to " + target.string());
    } catch (...) {
      ::unlink(tmp.c_str());
      throw;
    }
    fsync_dir(dir);
    return;
  }
}

void FsBlobStore::put(const std::string& key, std::string_view bytes, const std::string& content_type) {
  write_atomically(key, content_type, [&](int fd, const stdfs::path& tmp) { write_all(fd, bytes, tmp); });
}

void FsBlobStore::put_file(const std::string& key, const stdfs::path& file, const std::string& content_type) {
  write_atomically(key, content_type, [&](int fd, const stdfs::path& tmp) {
    Fd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.fd < 0) fail("open " + file.string());
    std::string buf(kChunk, '\0');
    for (;;) {
      ssize_t n = ::read(in.fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail("read " + file.string());
      if (n == 0) break;
      write_all(fd, std::string_view(buf.data(), static_cast<size_t>(n)), tmp);
    }
  });
}

std::optional<Blob> FsBlobStore::get(const std::string& key) {
  check_key(key);
  stdfs::path path = root_ / key;
  Fd fd(-1);
  auto info = open_blob(path, key, fd);
  if (!info) return std::nullopt;
  Blob b;
  b.info = std::move(*info);
  b.bytes.resize(static_cast<size_t>(b.info.size));
  size_t done = 0;
  while (done < b.bytes.size()) {
    ssize_t n = ::read(fd.fd, b.bytes.data() + done, b.bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("read " + path.string());
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  b.bytes.resize(done);
  b.info.size = done;
  return b;
}

std::optional<BlobInfo> FsBlobStore::head(const std::string& key) {
  check_key(key);
  Fd fd(-1);
  return open_blob(root_ / key, key, fd);
}

void FsBlobStore::remove(const std::string& key) {
  check_key(key);
  stdfs::path path = root_ / key;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return;
    fail("unlink " + path.string());
  }
  fsync_dir(path.parent_path());
  // Prune folders left empty, up to the root (a concurrent put() retries if it loses one).
  for (stdfs::path dir = path.parent_path(); dir != root_ && dir.string().size() > root_.string().size();
       dir = dir.parent_path()) {
    if (::rmdir(dir.c_str()) != 0) break;
  }
}

void FsBlobStore::copy(const std::string& from, const std::string& to) {
  check_key(from);
  check_key(to);
  if (!head(from)) throw NotFound("blob '" + from + "' does not exist");
  stdfs::path source = root_ / from;
  for (int attempt = 0;; ++attempt) {
    stdfs::path dir = parent_for_write(to);
    stdfs::path tmp = dir / (std::string(kTempPrefix) + hex_encode(random_bytes(8)));
    if (::link(source.c_str(), tmp.c_str()) != 0) {
      if (errno == ENOENT && attempt < 3 && head(from)) continue;
      if (errno == ENOENT) throw NotFound("blob '" + from + "' does not exist");
      // No hard links here (another device, a file system without them): copy the bytes.
      auto blob = get(from);
      if (!blob) throw NotFound("blob '" + from + "' does not exist");
      put(to, blob->bytes, blob->info.content_type);
      return;
    }
    struct stat st;
    stdfs::path target = root_ / to;
    if (::lstat(target.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      ::unlink(tmp.c_str());
      throw InvalidKey("blob key '" + to + "' is the folder of other objects");
    }
    if (::rename(tmp.c_str(), target.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      fail("rename to " + target.string(), err);
    }
    fsync_dir(dir);
    return;
  }
}

ListPage FsBlobStore::list(const std::string& prefix, const std::string& start, size_t limit) {
  check_prefix(prefix);
  if (limit == 0) limit = 1;
  // Walk only the deepest folder the prefix names completely.
  std::string folder = prefix.substr(0, prefix.rfind('/') == std::string::npos ? 0 : prefix.rfind('/'));
  stdfs::path base = folder.empty() ? root_ : root_ / folder;
  std::vector<BlobInfo> found;
  std::error_code ec;
  stdfs::recursive_directory_iterator it(base, stdfs::directory_options::none, ec), end;
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) return {};
    throw Unavailable("blob store: list " + base.string() + ": " + ec.message());
  }
  for (; it != end; it.increment(ec)) {
    if (ec) throw Unavailable("blob store: list " + base.string() + ": " + ec.message());
    std::string name = it->path().filename().string();
    if (!name.empty() && name.front() == '.') {  // temporaries (and nothing else) start with '.'
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    std::string key = it->path().lexically_relative(root_).generic_string();
    if (key.compare(0, prefix.size(), prefix) != 0 || key <= start) continue;
    struct stat st;
    if (::lstat(it->path().c_str(), &st) != 0) continue;  // removed meanwhile
    found.push_back({key, static_cast<uint64_t>(st.st_size), "", mtime_of(st)});
  }
  std::sort(found.begin(), found.end(), [](const BlobInfo& a, const BlobInfo& b) { return a.key < b.key; });
  ListPage page;
  if (found.size() > limit) {
    found.resize(limit);
    page.next = found.back().key;
  }
  page.items = std::move(found);
  return page;
}

std::string FsBlobStore::presigned_get_url(const std::string& key, std::chrono::seconds expires) {
  check_key(key);
  return signer_->url(key, clock_.now() + expires);
}

size_t FsBlobStore::remove_stale_temporaries() {
  size_t n = 0;
  std::error_code ec;
  for (stdfs::recursive_directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind(kTempPrefix, 0) == 0 && ::unlink(it->path().c_str()) == 0) ++n;
  }
  return n;
}

}  // namespace k9::blobs::fs
