#include "search/npy.h"

#include <stdexcept>

namespace k9::search::npy {

[[noreturn]] void refuse(const std::string& what) { throw std::invalid_argument("npz: " + what); }

std::string npy_header(std::string_view descr, std::string_view shape) {
  std::string dict = "{'descr': '";
  dict.append(descr).append("', 'fortran_order': False, 'shape': ").append(shape).append(", }");
  size_t unpadded = 10 + dict.size() + 1;  // magic, version, length; the dict; '\n'
  size_t total = (unpadded + 63) / 64 * 64;
  dict.append(total - unpadded, ' ').push_back('\n');
  uint16_t len = uint16_t(dict.size());
  std::string h("\x93NUMPY\x01\x00", 8);
  h.push_back(char(len & 0xff));
  h.push_back(char(len >> 8));
  return h + dict;
}

std::string vector_shape(size_t n) { return "(" + std::to_string(n) + ",)"; }

std::string padded_text(std::string_view s) {
  std::string out(s);
  if (out.empty()) out.push_back('\0');
  return out;
}

namespace {

class HeaderParser {
 public:
  explicit HeaderParser(std::string_view s, const std::string& array) : s_(s), array_(array) {}

  NpyHeader parse() {
    NpyHeader h;
    bool have_descr = false, have_order = false, have_shape = false;
    ws();
    expect('{');
    for (;;) {
      ws();
      if (peek() == '}') break;
      std::string key = quoted();
      ws();
      expect(':');
      ws();
      if (key == "descr" && !have_descr) {
        h.descr = quoted();
        have_descr = true;
      } else if (key == "fortran_order" && !have_order) {
        if (!word("False") && !word("True")) bad("fortran_order is not True or False");
        have_order = true;  // 0-d and 1-d arrays are laid out the same either way
      } else if (key == "shape" && !have_shape) {
        h.shape = shape();
        have_shape = true;
      } else {
        bad("unexpected or repeated key '" + key + "'");
      }
      ws();
      if (peek() == ',') {
        ++p_;
        continue;
      }
      if (peek() != '}') bad("malformed dictionary");
    }
    ++p_;
    ws();
    if (p_ != s_.size()) bad("text after the dictionary");
    if (!have_descr || !have_order || !have_shape) bad("descr, fortran_order or shape missing");
    return h;
  }

 private:
  [[noreturn]] void bad(const std::string& what) { refuse(array_ + ": bad .npy header: " + what); }
  char peek() const { return p_ < s_.size() ? s_[p_] : '\0'; }
  void ws() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r')) ++p_;
  }
  void expect(char c) {
    if (peek() != c) bad(std::string("expected '") + c + "'");
    ++p_;
  }
  bool word(std::string_view w) {
    if (s_.substr(p_, w.size()) != w) return false;
    p_ += w.size();
    return true;
  }
  std::string quoted() {
    char q = peek();
    if (q != '\'' && q != '"') bad("expected a quoted string");
    size_t end = s_.find(q, p_ + 1);
    if (end == std::string_view::npos) bad("unterminated string");
    std::string out(s_.substr(p_ + 1, end - p_ - 1));
    if (out.find('\\') != std::string::npos) bad("escapes in a string");
    p_ = end + 1;
    return out;
  }
  std::vector<uint64_t> shape() {
    std::vector<uint64_t> dims;
    expect('(');
    for (;;) {
      ws();
      if (peek() == ')') break;
      if (peek() < '0' || peek() > '9') bad("shape is not a tuple of integers");
      uint64_t v = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (v > kMaxRows) bad("dimension too large");
        v = v * 10 + uint64_t(peek() - '0');
        ++p_;
      }
      if (v > kMaxRows) bad("dimension too large");
      dims.push_back(v);
      if (dims.size() > 2) bad("too many dimensions");
      ws();
      if (peek() == ',') ++p_;
      else if (peek() != ')') bad("malformed shape");
    }
    ++p_;
    return dims;
  }

  std::string_view s_;
  size_t p_ = 0;
  const std::string& array_;
};

}  // namespace

NpyHeader parse_npy_header(std::string_view text, const std::string& array) { return HeaderParser(text, array).parse(); }

}  // namespace k9::search::npy
