#include "store/expr/token_cursor.h"

#include <algorithm>
#include <cctype>

namespace k9::store::expr::detail {

namespace {
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}
// Largest list index accepted in a path; DynamoDB items are far smaller than this.
constexpr size_t kMaxIndex = 1u << 30;
}  // namespace

TokenCursor::TokenCursor(std::string_view source, ExprKind kind)
    : source_(source), kind_(kind), tokens_(tokenize(source)) {}

const Token& TokenCursor::peek(size_t ahead) const {
  return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
}

const Token& TokenCursor::next() {
  const Token& t = peek();
  if (pos_ < tokens_.size() - 1) ++pos_;
  return t;
}

bool TokenCursor::is_punct(std::string_view p, size_t ahead) const {
  const Token& t = peek(ahead);
  return t.kind == Token::kPunct && t.text == p;
}

bool TokenCursor::accept_punct(std::string_view p) {
  if (!is_punct(p)) return false;
  next();
  return true;
}

void TokenCursor::expect_punct(std::string_view p) {
  if (!accept_punct(p)) syntax_error();
}

bool TokenCursor::is_keyword(std::string_view kw, size_t ahead) const {
  const Token& t = peek(ahead);
  return t.kind == Token::kName && iequals(t.text, kw);
}

bool TokenCursor::accept_keyword(std::string_view kw) {
  if (!is_keyword(kw)) return false;
  next();
  return true;
}

bool TokenCursor::at_function_call() const {
  return peek().kind == Token::kName && is_punct("(", 1);
}

PathElement TokenCursor::parse_name_element() {
  const Token& t = peek();
  if (t.kind != Token::kName && t.kind != Token::kNameRef) syntax_error();
  next();
  PathElement e;
  e.kind = t.kind == Token::kName ? PathElement::kName : PathElement::kNameRef;
  e.text = std::string(t.text);
  return e;
}

PathExpr TokenCursor::parse_path() {
  PathExpr path;
  path.elements.push_back(parse_name_element());
  for (;;) {
    if (accept_punct(".")) {
      path.elements.push_back(parse_name_element());
    } else if (is_punct("[")) {
      next();
      const Token& n = peek();
      if (n.kind != Token::kNumber) syntax_error();
      size_t index = 0;
      for (char c : n.text) {
        index = index * 10 + static_cast<size_t>(c - '0');
        if (index > kMaxIndex) syntax_error();
      }
      next();
      expect_punct("]");
      PathElement e;
      e.kind = PathElement::kIndex;
      e.index = index;
      path.elements.push_back(std::move(e));
    } else {
      return path;
    }
  }
}

void TokenCursor::syntax_error() const {
  const Token& t = peek();
  std::string token = t.kind == Token::kEnd ? "<EOF>" : std::string(t.text);
  // "near" spans the previous token, this one and the following one, as DynamoDB shows it.
  size_t begin = pos_ > 0 ? tokens_[pos_ - 1].offset : t.offset;
  const Token& after = peek(1);
  const Token& last = t.kind == Token::kEnd ? (pos_ > 0 ? tokens_[pos_ - 1] : t)
                      : after.kind == Token::kEnd ? t
                                                  : after;
  size_t end = last.offset + last.text.size();
  std::string near(source_.substr(begin, end - begin));
  fail("Syntax error; token: \"" + token + "\", near: \"" + near + "\"");
}

}  // namespace k9::store::expr::detail
