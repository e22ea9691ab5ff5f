#include "table_export/gzip_lines.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <fstream>
#include <vector>

#include "core/encoding.h"
#include "core/error.h"

namespace k9::table_export {

namespace fs = std::filesystem;

namespace {

Error file_error(const fs::path& path, const std::string& what) {
  return Error(ErrorCode::bad_request, path.string() + ": " + what);
}

struct Md5 {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  Md5() { EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr); }
  void add(const void* p, size_t n) { EVP_DigestUpdate(ctx.get(), p, n); }
  std::string base64() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx.get(), out, &n);
    return base64_encode(std::string_view(reinterpret_cast<const char*>(out), n));
  }
};

}  // namespace

std::string md5_base64(std::string_view bytes) {
  Md5 md5;
  md5.add(bytes.data(), bytes.size());
  return md5.base64();
}

std::string file_md5_base64(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw file_error(path, "cannot be read");
  Md5 md5;
  std::vector<char> buf(1 << 16);
  while (in.read(buf.data(), std::streamsize(buf.size())) || in.gcount() > 0) md5.add(buf.data(), size_t(in.gcount()));
  return md5.base64();
}

struct GzipLineWriter::State {
  fs::path path;
  gzFile file = nullptr;
};

GzipLineWriter::GzipLineWriter(const fs::path& path) : s_(std::make_unique<State>()) {
  s_->path = path;
  s_->file = gzopen(path.c_str(), "wb6");
  if (!s_->file) throw Error(ErrorCode::internal, path.string() + ": cannot be written");
  gzbuffer(s_->file, 1 << 17);
}

GzipLineWriter::~GzipLineWriter() {
  if (s_->file) gzclose_w(s_->file);
}

void GzipLineWriter::write_line(std::string_view line) {
  if ((!line.empty() && gzwrite(s_->file, line.data(), unsigned(line.size())) != int(line.size())) ||
      gzputc(s_->file, '\n') != '\n')
    throw Error(ErrorCode::internal, s_->path.string() + ": write failed (disk full?)");
}

void GzipLineWriter::close() {
  gzFile f = s_->file;
  s_->file = nullptr;
  if (gzclose_w(f) != Z_OK) throw Error(ErrorCode::internal, s_->path.string() + ": write failed (disk full?)");
}

void for_each_gzip_line(const fs::path& path, const std::function<void(std::string_view, size_t)>& line) {
  std::unique_ptr<gzFile_s, decltype(&gzclose_r)> file(gzopen(path.c_str(), "rb"), &gzclose_r);
  if (!file) throw file_error(path, "cannot be read");
  gzbuffer(file.get(), 1 << 17);
  std::string pending;
  std::vector<char> buf(1 << 16);
  size_t number = 0;
  for (;;) {
    int n = gzread(file.get(), buf.data(), unsigned(buf.size()));
    if (n < 0) {
      int code = 0;
      throw file_error(path, std::string("not a readable gzip file (") + gzerror(file.get(), &code) + ")");
    }
    if (gzdirect(file.get())) throw file_error(path, "not a gzip file");
    if (n == 0) break;
    pending.append(buf.data(), size_t(n));
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
      line(std::string_view(pending).substr(start, nl - start), ++number);
    pending.erase(0, start);
  }
  int code = Z_OK;
  gzerror(file.get(), &code);
  if (code != Z_OK) throw file_error(path, "cut short (the gzip stream ends early)");
  if (!pending.empty()) line(pending, ++number);
}

}  // namespace k9::table_export
