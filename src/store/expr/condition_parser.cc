#include <string>

#include "store/expr/parsers.h"
#include "store/expr/token_cursor.h"

namespace k9::store::expr::detail {

namespace {

// DynamoDB caps the IN list.
constexpr size_t kMaxInOperands = 100;

bool is_bool_function(std::string_view name) {
  return name == "attribute_exists" || name == "attribute_not_exists" || name == "attribute_type" ||
         name == "begins_with" || name == "contains";
}

bool is_update_function(std::string_view name) { return name == "if_not_exists" || name == "list_append"; }

bool is_reserved_keyword(const TokenCursor& c) {
  for (auto kw : {"AND", "OR", "NOT", "BETWEEN", "IN"})
    if (c.is_keyword(kw)) return true;
  return false;
}

class ConditionParser {
 public:
  explicit ConditionParser(std::string_view text) : c_(text, ExprKind::kCondition) {}

  CondNode parse_all() {
    if (c_.at_end()) c_.fail("The expression can not be empty;");
    CondNode root = parse_or();
    if (!c_.at_end()) c_.syntax_error();
    return root;
  }

 private:
  static CondNode binary(CondNode::Kind kind, CondNode left, CondNode right) {
    CondNode n;
    n.kind = kind;
    n.children.push_back(std::move(left));
    n.children.push_back(std::move(right));
    return n;
  }

  CondNode parse_or() {
    CondNode left = parse_and();
    while (c_.accept_keyword("OR")) left = binary(CondNode::kOr, std::move(left), parse_and());
    return left;
  }

  CondNode parse_and() {
    CondNode left = parse_not();
    while (c_.accept_keyword("AND")) left = binary(CondNode::kAnd, std::move(left), parse_not());
    return left;
  }

  CondNode parse_not() {
    if (!c_.accept_keyword("NOT")) return parse_primary();
    CondNode n;
    n.kind = CondNode::kNot;
    n.children.push_back(parse_not());
    return n;
  }

  CondNode parse_primary() {
    if (c_.accept_punct("(")) {
      CondNode inner = parse_or();
      c_.expect_punct(")");
      return inner;
    }
    if (c_.at_function_call() && is_bool_function(c_.peek().text)) return parse_bool_function();
    Operand left = parse_operand();
    return parse_comparison(std::move(left));
  }

  // name '(' operand (',' operand)* ')'; returns the name and fills `args`.
  std::string parse_call(std::vector<Operand>& args) {
    std::string name(c_.next().text);
    c_.expect_punct("(");
    do {
      args.push_back(parse_operand());
    } while (c_.accept_punct(","));
    c_.expect_punct(")");
    return name;
  }

  void check_arity(const std::string& name, const std::vector<Operand>& args, size_t want) {
    if (args.size() != want)
      c_.fail("Incorrect number of operands for operator or function; operator or function: " + name +
              ", number of operands: " + std::to_string(args.size()));
  }

  void require_path(const std::string& name, const Operand& arg) {
    if (arg.kind != Operand::kPath)
      c_.fail("Operator or function requires a document path; operator or function: " + name);
  }

  CondNode parse_bool_function() {
    CondNode n;
    std::string name = parse_call(n.operands);
    if (name == "attribute_exists" || name == "attribute_not_exists") {
      n.kind = name == "attribute_exists" ? CondNode::kExists : CondNode::kNotExists;
      check_arity(name, n.operands, 1);
      require_path(name, n.operands[0]);
    } else {
      n.kind = name == "attribute_type" ? CondNode::kType
               : name == "begins_with"  ? CondNode::kBeginsWith
                                        : CondNode::kContains;
      check_arity(name, n.operands, 2);
      if (n.kind == CondNode::kType) require_path(name, n.operands[0]);
    }
    if (at_comparison_operator())
      c_.fail("The function is not allowed to be used this way in an expression; function: " + name);
    return n;
  }

  bool at_comparison_operator() const {
    for (auto p : {"=", "<>", "<", "<=", ">", ">="})
      if (c_.is_punct(p)) return true;
    return c_.is_keyword("BETWEEN") || c_.is_keyword("IN");
  }

  Operand parse_operand() {
    const Token& t = c_.peek();
    if (t.kind == Token::kValueRef) {
      Operand o;
      o.kind = Operand::kValue;
      o.value = std::string(c_.next().text);
      return o;
    }
    if (c_.at_function_call()) return parse_function_operand();
    if (t.kind == Token::kName && is_reserved_keyword(c_)) c_.syntax_error();
    Operand o;
    o.kind = Operand::kPath;
    o.path = c_.parse_path();
    return o;
  }

  // size(path) is the only function that yields an operand.
  Operand parse_function_operand() {
    std::vector<Operand> args;
    std::string name = parse_call(args);
    if (is_bool_function(name) || is_update_function(name))
      c_.fail("The function is not allowed to be used this way in an expression; function: " + name);
    if (name != "size") c_.fail("Invalid function name; function: " + name);
    check_arity(name, args, 1);
    require_path(name, args[0]);
    Operand o;
    o.kind = Operand::kSize;
    o.path = std::move(args[0].path);
    return o;
  }

  CondNode parse_comparison(Operand left) {
    CondNode n;
    n.operands.push_back(std::move(left));
    static constexpr std::pair<const char*, CmpOp> kOps[] = {
        {"=", CmpOp::kEq}, {"<>", CmpOp::kNe}, {"<", CmpOp::kLt},
        {"<=", CmpOp::kLe}, {">", CmpOp::kGt}, {">=", CmpOp::kGe}};
    for (auto& [text, op] : kOps) {
      if (c_.accept_punct(text)) {
        n.kind = CondNode::kCompare;
        n.op = op;
        n.operands.push_back(parse_operand());
        return n;
      }
    }
    if (c_.accept_keyword("BETWEEN")) {
      n.kind = CondNode::kBetween;
      n.operands.push_back(parse_operand());
      if (!c_.accept_keyword("AND")) c_.syntax_error();
      n.operands.push_back(parse_operand());
      return n;
    }
    if (c_.accept_keyword("IN")) {
      n.kind = CondNode::kIn;
      c_.expect_punct("(");
      do {
        n.operands.push_back(parse_operand());
      } while (c_.accept_punct(","));
      c_.expect_punct(")");
      if (n.operands.size() - 1 > kMaxInOperands)
        c_.fail("The IN operator is provided with too many operands; number of operands: " +
                std::to_string(n.operands.size() - 1));
      return n;
    }
    if (n.operands[0].kind == Operand::kSize)
      c_.fail("The function is not allowed to be used this way in an expression; function: size");
    c_.syntax_error();
  }

  TokenCursor c_;
};

}  // namespace

CondNode parse_condition(std::string_view text) { return ConditionParser(text).parse_all(); }

}  // namespace k9::store::expr::detail
