#include "store/expr/lexer.h"

namespace k9::store::expr::detail {

namespace {
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) { return is_alpha(c) || is_digit(c) || c == '_'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
}  // namespace

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  auto emit = [&](Token::Kind kind, size_t start, size_t end) {
    out.push_back(Token{kind, s.substr(start, end - start), start});
    i = end;
  };
  auto word_end = [&](size_t from) {
    while (from < s.size() && is_word(s[from])) ++from;
    return from;
  };
  while (i < s.size()) {
    char c = s[i];
    if (is_space(c)) {
      ++i;
    } else if (is_alpha(c)) {
      emit(Token::kName, i, word_end(i + 1));
    } else if (is_digit(c)) {
      size_t e = i;
      while (e < s.size() && is_digit(s[e])) ++e;
      emit(Token::kNumber, i, e);
    } else if ((c == '#' || c == ':') && i + 1 < s.size() && is_word(s[i + 1])) {
      emit(c == '#' ? Token::kNameRef : Token::kValueRef, i, word_end(i + 1));
    } else if ((c == '<' || c == '>') && i + 1 < s.size() && s[i + 1] == '=') {
      emit(Token::kPunct, i, i + 2);
    } else if (c == '<' && i + 1 < s.size() && s[i + 1] == '>') {
      emit(Token::kPunct, i, i + 2);
    } else if (std::string_view("()[],.=<>+-").find(c) != std::string_view::npos) {
      emit(Token::kPunct, i, i + 1);
    } else {
      emit(Token::kInvalid, i, i + 1);
    }
  }
  out.push_back(Token{Token::kEnd, s.substr(s.size()), s.size()});
  return out;
}

}  // namespace k9::store::expr::detail
