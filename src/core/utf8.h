// UTF-8 checks for text that crosses the API boundary.
#pragma once
#include <string_view>

namespace k9 {

// True for well-formed UTF-8 (no overlongs, surrogates or code points over U+10FFFF).
bool valid_utf8(std::string_view text);
// Number of code points of valid UTF-8 text.
size_t utf8_length(std::string_view text);

}  // namespace k9
