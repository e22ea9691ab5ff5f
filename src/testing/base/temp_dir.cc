#include "testing/base/temp_dir.h"

#include <unistd.h>

#include <string>
#include <system_error>

#include "core/encoding.h"
#include "core/random.h"

namespace k9::testkit {

TempDir::TempDir(std::string_view label)
    : path_(std::filesystem::temp_directory_path() /
            ("k9-" + std::string(label) + "-" + std::to_string(::getpid()) + "-" + hex_encode(random_bytes(6)))) {
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace k9::testkit
