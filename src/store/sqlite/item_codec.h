// The SQLite adapter's storage format for items: a compact, self-describing binary
// encoding (type tag, varint lengths), decoded straight into an Item without an
// intermediate document. Layout (all lengths and counts are LEB128 varints):
//   item   := count (name value)*          name := len bytes
//   value  := tag payload                  tag: S=1 N=2 B=3 BOOL=4 NULL=5 M=6 L=7 SS=8 NS=9 BS=10
//   S|N|B  := len bytes    BOOL := 0|1    NULL := ()    M := item    L := count value*
//   SS|NS|BS := count (len bytes)*
#pragma once
#include <string>
#include <string_view>

#include "store/item.h"

namespace k9::store::sqlite {

std::string encode_item(const Item& item);
// Throws StoreError on bytes encode_item did not make (a corrupt row).
Item decode_item(std::string_view bytes);

}  // namespace k9::store::sqlite
