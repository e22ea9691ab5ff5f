#include "store/sqlite/store_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/store.h"

namespace k9::store::sqlite {

namespace {

int open_lock_file(const std::string& db_path) {
  std::string path = db_path + ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw Unavailable("cannot open " + path + ": " + std::strerror(errno));
  return fd;
}

}  // namespace

StoreLock StoreLock::shared(const std::string& db_path) {
  int fd = open_lock_file(db_path);
  while (::flock(fd, LOCK_SH) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd);
    throw Unavailable("cannot lock " + db_path + ".lock: " + std::strerror(err));
  }
  return StoreLock(fd);
}

std::optional<StoreLock> StoreLock::try_exclusive(const std::string& db_path) {
  int fd = open_lock_file(db_path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  return StoreLock(fd);
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) ::close(fd_);  // closing drops the lock
}

}  // namespace k9::store::sqlite
