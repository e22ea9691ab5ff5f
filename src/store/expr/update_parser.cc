#include <string>

#include "store/expr/parsers.h"
#include "store/expr/token_cursor.h"

namespace k9::store::expr::detail {

namespace {

class UpdateParser {
 public:
  explicit UpdateParser(std::string_view text) : c_(text, ExprKind::kUpdate) {}

  UpdateAst parse_all() {
    if (c_.at_end()) c_.fail("The expression can not be empty;");
    bool seen[4] = {false, false, false, false};
    static constexpr const char* kClauses[] = {"SET", "REMOVE", "ADD", "DELETE"};
    while (!c_.at_end()) {
      int clause = -1;
      for (int i = 0; i < 4; ++i)
        if (c_.is_keyword(kClauses[i])) clause = i;
      if (clause < 0) c_.syntax_error();
      if (seen[clause])
        c_.fail(std::string("The \"") + kClauses[clause] + "\" section can only be used once in an update expression;");
      seen[clause] = true;
      c_.next();
      do {
        switch (clause) {
          case 0: parse_set_action(); break;
          case 1: ast_.removes.push_back(c_.parse_path()); break;
          case 2: ast_.adds.push_back(parse_value_action()); break;
          case 3: ast_.deletes.push_back(parse_value_action()); break;
        }
      } while (c_.accept_punct(","));
    }
    return std::move(ast_);
  }

 private:
  void parse_set_action() {
    SetAction a;
    a.target = c_.parse_path();
    c_.expect_punct("=");
    a.left = parse_value();
    if (c_.is_punct("+") || c_.is_punct("-")) {
      a.op = c_.next().text[0];
      a.right = parse_value();
    }
    ast_.sets.push_back(std::move(a));
  }

  ValueAction parse_value_action() {
    ValueAction a;
    a.target = c_.parse_path();
    if (c_.peek().kind != Token::kValueRef) c_.syntax_error();
    a.value = std::string(c_.next().text);
    return a;
  }

  UpdateValue parse_value() {
    UpdateValue v;
    if (c_.peek().kind == Token::kValueRef) {
      v.kind = UpdateValue::kValue;
      v.value = std::string(c_.next().text);
    } else if (c_.at_function_call()) {
      v = parse_function();
    } else {
      v.kind = UpdateValue::kPath;
      v.path = c_.parse_path();
    }
    return v;
  }

  UpdateValue parse_function() {
    std::string name(c_.next().text);
    UpdateValue v;
    c_.expect_punct("(");
    do {
      v.args.push_back(parse_value());
    } while (c_.accept_punct(","));
    c_.expect_punct(")");
    if (name == "if_not_exists") {
      v.kind = UpdateValue::kIfNotExists;
    } else if (name == "list_append") {
      v.kind = UpdateValue::kListAppend;
    } else if (name == "size" || name == "attribute_exists" || name == "attribute_not_exists" ||
               name == "attribute_type" || name == "begins_with" || name == "contains") {
      c_.fail("The function is not allowed in an update expression; function: " + name);
    } else {
      c_.fail("Invalid function name; function: " + name);
    }
    if (v.args.size() != 2)
      c_.fail("Incorrect number of operands for operator or function; operator or function: " + name +
              ", number of operands: " + std::to_string(v.args.size()));
    if (v.kind == UpdateValue::kIfNotExists && v.args[0].kind != UpdateValue::kPath)
      c_.fail("Operator or function requires a document path; operator or function: if_not_exists");
    // DynamoDB refuses list_append nested in list_append (if_not_exists inside it is fine).
    if (v.kind == UpdateValue::kListAppend)
      for (auto& arg : v.args)
        if (arg.kind == UpdateValue::kListAppend)
          c_.fail("The function is not allowed to be used this way in an expression; function: list_append");
    return v;
  }

  TokenCursor c_;
  UpdateAst ast_;
};

}  // namespace

UpdateAst parse_update(std::string_view text) { return UpdateParser(text).parse_all(); }

}  // namespace k9::store::expr::detail
