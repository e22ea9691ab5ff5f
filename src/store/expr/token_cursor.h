// A cursor over tokens with the helpers both recursive-descent parsers share: keyword and
// punctuation matching, document-path parsing and DynamoDB-style syntax errors.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "store/expr/ast.h"
#include "store/expr/errors.h"
#include "store/expr/lexer.h"

namespace k9::store::expr::detail {

class TokenCursor {
 public:
  TokenCursor(std::string_view source, ExprKind kind);

  ExprKind kind() const { return kind_; }
  const Token& peek(size_t ahead = 0) const;
  const Token& next();
  bool at_end() const { return peek().kind == Token::kEnd; }

  bool is_punct(std::string_view p, size_t ahead = 0) const;
  bool accept_punct(std::string_view p);
  void expect_punct(std::string_view p);  // syntax error unless the next token is `p`
  // Keywords are kName tokens compared case-insensitively.
  bool is_keyword(std::string_view kw, size_t ahead = 0) const;
  bool accept_keyword(std::string_view kw);
  // True for a kName token followed by "(": a function call.
  bool at_function_call() const;

  // path := (NAME | #ref) ('.' (NAME | #ref) | '[' NUMBER ']')*
  PathExpr parse_path();

  // "Syntax error; token: "x", near: "a x b"" for the next token.
  [[noreturn]] void syntax_error() const;
  [[noreturn]] void fail(const std::string& message) const { detail::fail(kind_, message); }

 private:
  PathElement parse_name_element();

  std::string_view source_;
  ExprKind kind_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace k9::store::expr::detail
