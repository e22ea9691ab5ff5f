// Lines in and out of gzip files (zlib), with the MD5 of the compressed bytes as written or
// read (what DynamoDB's export manifests record for a data file).
#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace k9::table_export {

// The base64 MD5 of a whole file.
std::string file_md5_base64(const std::filesystem::path& path);
std::string md5_base64(std::string_view bytes);

class GzipLineWriter {
 public:
  explicit GzipLineWriter(const std::filesystem::path& path);  // truncates
  ~GzipLineWriter();
  GzipLineWriter(const GzipLineWriter&) = delete;
  GzipLineWriter& operator=(const GzipLineWriter&) = delete;
  void write_line(std::string_view line);  // adds the '\n'
  void close();                             // flushes; the file is complete after it

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// Each line of the gzip file at `path` (without its '\n'; numbered from 1) to `line`. A file
// that is not gzip, or is cut short, throws k9::Error naming it.
void for_each_gzip_line(const std::filesystem::path& path,
                        const std::function<void(std::string_view line, size_t number)>& line);

}  // namespace k9::table_export
