// Tokenizer shared by the condition and update parsers.
#pragma once
#include <string_view>
#include <vector>

namespace k9::store::expr::detail {

struct Token {
  enum Kind {
    kName,      // [A-Za-z][A-Za-z0-9_]*  (also keywords and function names)
    kNameRef,   // #[A-Za-z0-9_]+
    kValueRef,  // :[A-Za-z0-9_]+
    kNumber,    // [0-9]+ (list indexes)
    kPunct,     // ( ) [ ] , . = <> < <= > >= + -
    kInvalid,   // one character no token starts with
    kEnd,
  };
  Kind kind = kEnd;
  std::string_view text;  // a view into the tokenized source
  size_t offset = 0;
};

// Splits `source` into tokens; the last one is always kEnd. Never throws on bad input: an
// unexpected character becomes a kInvalid token for the parser to report.
std::vector<Token> tokenize(std::string_view source);

}  // namespace k9::store::expr::detail
