// TempDir: a fresh folder under the system temp folder for one test (or one benchmark), named
// k9-<label>-<pid>-<random>, so tests running at once never share one; removed with everything
// in it when the TempDir ends. Declare it before what keeps files open in it (a store): members
// end in reverse order, so the store closes first.
#pragma once
#include <filesystem>
#include <string_view>

namespace k9::testkit {

class TempDir {
 public:
  explicit TempDir(std::string_view label = "test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& child) const { return path_ / child; }

 private:
  std::filesystem::path path_;
};

}  // namespace k9::testkit
