// Numbers appended to a string as std::to_chars writes them: no locale, no temporary string.
// append_number(out, 42); append_number(out, 0.1) (the shortest form that reads back the same);
// append_number(out, ms, std::chars_format::fixed, 3).
#pragma once
#include <charconv>
#include <string>

namespace k9 {

template <class Number, class... Format>
void append_number(std::string& out, Number v, Format... format) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, format...);
  out.append(buf, r.ptr);
}

}  // namespace k9
