// Condition: parsing entry point, evaluation with DynamoDB's semantics, placeholder listing.
//
// Semantics decided here (verified against DynamoDB behaviour reported by emulator projects):
//  - A missing operand (absent attribute, size() of a missing or unsized attribute) makes
//    `=`, `<`, `<=`, `>`, `>=`, BETWEEN and IN false, and `<>` TRUE ("missing is not equal to
//    anything", including another missing attribute).
//  - Operands of different types: `=` false, `<>` true, ordering false. Ordering is defined
//    for N (numerically), S and B (bytewise, unsigned).
//  - size() of S and B counts bytes; of sets, lists and maps their elements. size() of N,
//    BOOL or NULL is treated as missing (the comparison is false, not an error).
//  - AND / OR evaluate both sides, so an undefined placeholder or a refused constant anywhere in
//    the expression is always reported, as DynamoDB validates the whole expression.
#include <algorithm>
#include <optional>

#include "store/expr/document_path.h"
#include "store/expr/expression.h"
#include "store/expr/parsers.h"

namespace k9::store::expr {

using namespace detail;

namespace {

constexpr ExprKind kKind = ExprKind::kCondition;

// An evaluated operand: a pointer into the item or values, or a computed size(); `get()` is
// nullptr when the operand is missing.
struct OperandValue {
  const AttributeValue* ref = nullptr;
  std::optional<AttributeValue> computed;
  bool constant = false;  // a :value from the request
  const AttributeValue* get() const { return computed ? &*computed : ref; }
};

std::optional<size_t> size_of(const AttributeValue& v) {
  switch (v.type()) {
    case AttrType::S: return v.s().size();
    case AttrType::B: return v.b().size();
    case AttrType::SS:
    case AttrType::NS:
    case AttrType::BS: return v.set().size();
    case AttrType::L: return v.l().size();
    case AttrType::M: return v.m().size();
    default: return std::nullopt;
  }
}

bool orderable(const AttributeValue& v) { return v.is(AttrType::S) || v.is(AttrType::N) || v.is(AttrType::B); }

// -1, 0, 1 for two values of the same orderable type; nullopt otherwise.
std::optional<int> order(const AttributeValue& a, const AttributeValue& b) {
  if (a.type() != b.type() || !orderable(a)) return std::nullopt;
  if (a.is(AttrType::N)) return compare_numbers(a.n(), b.n());
  int c = a.is(AttrType::S) ? a.s().compare(b.s()) : a.b().compare(b.b());  // char_traits: unsigned
  return (c > 0) - (c < 0);
}

const char* op_name(CmpOp op) {
  switch (op) {
    case CmpOp::kEq: return "=";
    case CmpOp::kNe: return "<>";
    case CmpOp::kLt: return "<";
    case CmpOp::kLe: return "<=";
    case CmpOp::kGt: return ">";
    case CmpOp::kGe: return ">=";
  }
  return "?";
}

std::string render(const AttributeValue& v) {
  std::string text = v.is(AttrType::S) ? v.s() : v.is(AttrType::N) ? v.n() : v.is(AttrType::B) ? "<binary>" : "";
  return std::string("AttributeValue: {") + attr_type_name(v.type()) + ":" + text + "}";
}

[[noreturn]] void wrong_operand_type(const std::string& function, const AttributeValue& v) {
  fail(kKind, "Incorrect operand type for operator or function; operator or function: " + function +
                  ", operand type: " + attr_type_name(v.type()));
}

class Evaluator {
 public:
  Evaluator(const Item* item, const Names& names, const Values& values)
      : item_(item), names_(names), values_(values) {}

  bool eval(const CondNode& n) const {
    switch (n.kind) {
      case CondNode::kAnd: {
        bool l = eval(n.children[0]), r = eval(n.children[1]);
        return l && r;
      }
      case CondNode::kOr: {
        bool l = eval(n.children[0]), r = eval(n.children[1]);
        return l || r;
      }
      case CondNode::kNot: return !eval(n.children[0]);
      case CondNode::kCompare: return compare(n);
      case CondNode::kBetween: return between(n);
      case CondNode::kIn: return in(n);
      case CondNode::kExists: return operand(n.operands[0]).get() != nullptr;
      case CondNode::kNotExists: return operand(n.operands[0]).get() == nullptr;
      case CondNode::kType: return attribute_type(n);
      case CondNode::kBeginsWith: return begins_with(n);
      case CondNode::kContains: return contains(n);
    }
    return false;
  }

 private:
  OperandValue operand(const Operand& o) const {
    OperandValue v;
    if (o.kind == Operand::kValue) {
      v.ref = &lookup_value(o.value, values_, kKind);
      v.constant = true;
      return v;
    }
    const AttributeValue* at = find_in_item(item_, resolve_path(o.path, names_, kKind));
    if (o.kind == Operand::kPath) {
      v.ref = at;
    } else if (at) {
      if (auto size = size_of(*at)) v.computed = AttributeValue::N(static_cast<long long>(*size));
    }
    return v;
  }

  // Ordering operators refuse request constants that can never be ordered (BOOL, NULL, ...).
  static void check_orderable_constant(const OperandValue& v, const char* function) {
    if (v.constant && !orderable(*v.get())) wrong_operand_type(function, *v.get());
  }

  bool compare(const CondNode& n) const {
    OperandValue a = operand(n.operands[0]), b = operand(n.operands[1]);
    if (n.op != CmpOp::kEq && n.op != CmpOp::kNe) {
      check_orderable_constant(a, op_name(n.op));
      check_orderable_constant(b, op_name(n.op));
    }
    const AttributeValue *x = a.get(), *y = b.get();
    if (!x || !y) return n.op == CmpOp::kNe;
    if (n.op == CmpOp::kEq) return *x == *y;
    if (n.op == CmpOp::kNe) return *x != *y;
    std::optional<int> c = order(*x, *y);
    if (!c) return false;
    switch (n.op) {
      case CmpOp::kLt: return *c < 0;
      case CmpOp::kLe: return *c <= 0;
      case CmpOp::kGt: return *c > 0;
      default: return *c >= 0;
    }
  }

  bool between(const CondNode& n) const {
    OperandValue v = operand(n.operands[0]), lo = operand(n.operands[1]), hi = operand(n.operands[2]);
    for (auto* o : {&v, &lo, &hi}) check_orderable_constant(*o, "BETWEEN");
    if (lo.constant && hi.constant) {
      const AttributeValue &l = *lo.get(), &h = *hi.get();
      if (l.type() != h.type())
        fail(kKind, "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: " +
                        render(l) + ", upper bound operand: " + render(h));
      if (*order(l, h) > 0)
        fail(kKind, "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                    "lower bound operand: " + render(l) + ", upper bound operand: " + render(h));
    }
    if (!v.get() || !lo.get() || !hi.get()) return false;
    std::optional<int> above = order(*v.get(), *lo.get()), below = order(*v.get(), *hi.get());
    return above && below && *above >= 0 && *below <= 0;
  }

  bool in(const CondNode& n) const {
    OperandValue v = operand(n.operands[0]);
    bool found = false;
    for (size_t i = 1; i < n.operands.size(); ++i) {
      OperandValue candidate = operand(n.operands[i]);  // evaluated for validation even after a match
      if (v.get() && candidate.get() && *v.get() == *candidate.get()) found = true;
    }
    return found;
  }

  bool attribute_type(const CondNode& n) const {
    OperandValue v = operand(n.operands[0]), t = operand(n.operands[1]);
    static constexpr const char* kTypes[] = {"B", "BOOL", "BS", "L", "M", "N", "NS", "NULL", "S", "SS"};
    const AttributeValue* type = t.get();
    if (t.constant) {
      if (!type->is(AttrType::S)) wrong_operand_type("attribute_type", *type);
      bool valid = false;
      for (auto name : kTypes) valid = valid || type->s() == name;
      if (!valid)
        fail(kKind, "Invalid attribute type name found; type: " + type->s() +
                        ", valid types: { B,BOOL,BS,L,M,N,NS,NULL,S,SS }");
    }
    if (!v.get() || !type || !type->is(AttrType::S)) return false;
    return type->s() == attr_type_name(v.get()->type());
  }

  bool begins_with(const CondNode& n) const {
    OperandValue v = operand(n.operands[0]), prefix = operand(n.operands[1]);
    for (auto* o : {&v, &prefix})
      if (o->constant && !o->get()->is(AttrType::S) && !o->get()->is(AttrType::B))
        wrong_operand_type("begins_with", *o->get());
    const AttributeValue *x = v.get(), *p = prefix.get();
    if (!x || !p || x->type() != p->type()) return false;
    if (x->is(AttrType::S)) return x->s().starts_with(p->s());
    if (x->is(AttrType::B)) return x->b().starts_with(p->b());
    return false;
  }

  bool contains(const CondNode& n) const {
    OperandValue hay = operand(n.operands[0]), needle = operand(n.operands[1]);
    const AttributeValue *h = hay.get(), *x = needle.get();
    if (!h || !x) return false;
    switch (h->type()) {
      case AttrType::S: return x->is(AttrType::S) && h->s().find(x->s()) != std::string::npos;
      case AttrType::B: return x->is(AttrType::B) && h->b().find(x->b()) != std::string::npos;
      case AttrType::SS: return x->is(AttrType::S) && set_has(h->set(), x->s());
      case AttrType::BS: return x->is(AttrType::B) && set_has(h->set(), x->b());
      case AttrType::NS: return x->is(AttrType::N) && set_has(h->set(), x->n());
      case AttrType::L:
        for (const AttributeValue& e : h->l())
          if (e == *x) return true;
        return false;
      default: return false;
    }
  }

  // Sets hold canonical text, sorted and unique.
  static bool set_has(const AttributeValue::Set& s, const std::string& element) {
    return std::binary_search(s.begin(), s.end(), element);
  }

  const Item* item_;
  const Names& names_;
  const Values& values_;
};

void collect(const CondNode& n, std::set<std::string>& names, std::set<std::string>& values) {
  for (const Operand& o : n.operands) {
    if (o.kind == Operand::kValue) values.insert(o.value);
    else collect_names(o.path, names);
  }
  for (const CondNode& c : n.children) collect(c, names, values);
}

}  // namespace

std::shared_ptr<const Condition> Condition::parse(std::string_view text) {
  return std::shared_ptr<const Condition>(new Condition(std::make_shared<const CondNode>(parse_condition(text))));
}

bool Condition::evaluate(const Item* item, const Names& names, const Values& values) const {
  return Evaluator(item, names, values).eval(*root_);
}

void Condition::collect_placeholders(std::set<std::string>& names, std::set<std::string>& values) const {
  collect(*root_, names, values);
}

}  // namespace k9::store::expr
