// Internal to src/search: the NumPy .npy format of the arrays in a .npz (npz.h): the header
// written before an array's data (v1.0, padded to 64 bytes), and the header's dictionary read
// back ({'descr': ..., 'fortran_order': ..., 'shape': (...)}, v1.0 to v3.0). No zip, no I/O:
// npz.cc puts the arrays in and takes them out of the zip.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace k9::search::npy {

constexpr uint64_t kMaxRows = uint64_t(1) << 28;  // a larger dimension is refused
constexpr uint64_t kMaxHeader = 65535;            // a longer header is refused

// Throws std::invalid_argument("npz: " + what): how every refusal of a matrix file reads.
[[noreturn]] void refuse(const std::string& what);

// The .npy v1.0 header of an array of dtype `descr` ("<f4", "|S8") and shape `shape` ("(3,)").
std::string npy_header(std::string_view descr, std::string_view shape);
std::string vector_shape(size_t n);  // "(n,)"
// A bytes scalar's value: numpy's empty bytes scalar is |S1 b''.
std::string padded_text(std::string_view s);

struct NpyHeader {
  std::string descr;
  std::vector<uint64_t> shape;
};

// The header's dictionary (the text after the magic, version and length); refuses naming
// `array` when it is not the dictionary numpy writes.
NpyHeader parse_npy_header(std::string_view text, const std::string& array);

}  // namespace k9::search::npy
