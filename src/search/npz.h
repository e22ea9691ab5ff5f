// Similarity matrices as NumPy .npz files (SPEC section 3: `numpy.load` opens them): a zip
// (libzip, in memory) of .npy v1.0 arrays, little-endian, entries stored uncompressed as
// numpy.savez writes them:
//
//   product_ids            |S<id_width>, shape (N,)   sorted ascending, '\0'-padded
//   <score_name(s)>        <f4, shape (N,)            one per Score; NaN = missing
//   snapshot_fingerprint   |u1, shape (16,)
//   model_version          |S<w>, shape ()            (shape (1,) is accepted too)
//   reference_product_id   |S<w>, shape ()
//
// Same matrix in, same bytes out (entry times are fixed). No I/O here.
#pragma once
#include <string>
#include <string_view>

#include "search/score_matrix.h"

namespace k9::search {

// Throws std::invalid_argument when the matrix is inconsistent (a column whose length is not
// size(), ids not a multiple of id_width).
std::string encode_npz(const ScoreMatrix& m);

// Reads what encode_npz writes; also accepts deflated entries (numpy.savez_compressed),
// .npy v2/v3 headers, 0-d or 1-element strings, extra arrays (ignored). Refuses with
// std::invalid_argument naming the problem: not a zip, an array missing, a wrong dtype or
// shape, lengths that disagree, an entry whose size disagrees with its header, ids not
// strictly ascending or empty, encrypted entries, other compression methods. Never allocates
// more than the sizes the archive's own bytes can produce (stored entries: no larger than the
// input; deflated: at most deflate's 1032:1 ratio of their compressed size).
ScoreMatrix decode_npz(std::string_view bytes);

}  // namespace k9::search
