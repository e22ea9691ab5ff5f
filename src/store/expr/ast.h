// Internal syntax trees of condition and update expressions (not part of the public API).
#pragma once
#include <string>
#include <vector>

namespace k9::store::expr::detail {

// One element of a document path as written: a bare name, a #placeholder or a [index].
// The first element of a path is never an index.
struct PathElement {
  enum Kind { kName, kNameRef, kIndex };
  Kind kind = kName;
  std::string text;  // kName: the name; kNameRef: "#ref"
  size_t index = 0;  // kIndex
};

struct PathExpr {
  std::vector<PathElement> elements;
};

// A condition operand: a path, a :value or size(path).
struct Operand {
  enum Kind { kPath, kValue, kSize };
  Kind kind = kPath;
  PathExpr path;      // kPath, kSize
  std::string value;  // kValue: ":ref"
};

enum class CmpOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct CondNode {
  enum Kind {
    kCompare,     // operands[0] op operands[1]
    kBetween,     // operands[0] BETWEEN operands[1] AND operands[2]
    kIn,          // operands[0] IN (operands[1..])
    kExists,      // attribute_exists(operands[0])
    kNotExists,   // attribute_not_exists(operands[0])
    kType,        // attribute_type(operands[0], operands[1])
    kBeginsWith,  // begins_with(operands[0], operands[1])
    kContains,    // contains(operands[0], operands[1])
    kAnd,         // children[0] AND children[1]
    kOr,          // children[0] OR children[1]
    kNot,         // NOT children[0]
  };
  Kind kind = kCompare;
  CmpOp op = CmpOp::kEq;
  std::vector<Operand> operands;
  std::vector<CondNode> children;
};

// The right-hand side of a SET action: path, :value, if_not_exists(path, v), list_append(a, b).
struct UpdateValue {
  enum Kind { kPath, kValue, kIfNotExists, kListAppend };
  Kind kind = kPath;
  PathExpr path;      // kPath
  std::string value;  // kValue: ":ref"
  std::vector<UpdateValue> args;  // functions
};

struct SetAction {
  PathExpr target;
  UpdateValue left;
  char op = 0;  // 0 (just `left`), '+' or '-'
  UpdateValue right;
};

// ADD path :value / DELETE path :value.
struct ValueAction {
  PathExpr target;
  std::string value;  // ":ref"
};

struct UpdateAst {
  std::vector<SetAction> sets;
  std::vector<PathExpr> removes;
  std::vector<ValueAction> adds;
  std::vector<ValueAction> deletes;
};

}  // namespace k9::store::expr::detail
