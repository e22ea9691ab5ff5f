// Update: parsing entry point, application to an item, placeholder listing.
//
// Application order, chosen so that every path means what it meant in the item before the
// update (as DynamoDB specifies):
//  1. resolve all target paths and refuse overlapping or conflicting ones;
//  2. compute every SET value from the original item;
//  3. on a copy: SET (list indexes ascending, so several appends land in index order), ADD,
//     DELETE, then REMOVE (list indexes descending, so removals do not shift each other);
//  4. swap the copy in: a throw leaves the item unchanged.
// Known gap: DynamoDB ignores `REMOVE x.y` when the whole item is absent; this engine cannot
// tell an absent item from an empty one and reports the invalid path.
#include <algorithm>
#include <stdexcept>

#include "store/expr/document_path.h"
#include "store/expr/expression.h"
#include "store/expr/parsers.h"

namespace k9::store::expr {

using namespace detail;

namespace {

constexpr ExprKind kKind = ExprKind::kUpdate;

[[noreturn]] void invalid_path() { fail(kKind, "The document path provided in the update expression is invalid for update"); }
[[noreturn]] void incorrect_type() { fail(kKind, "An operand in the update expression has an incorrect data type"); }
[[noreturn]] void wrong_operand_type(const std::string& function, const AttributeValue& v) {
  fail(kKind, "Incorrect operand type for operator or function; operator or function: " + function +
                  ", operand type: " + attr_type_name(v.type()));
}

bool is_set(const AttributeValue& v) { return v.is(AttrType::SS) || v.is(AttrType::NS) || v.is(AttrType::BS); }

// Exact decimal addition; DynamoDB's overflow and precision limits become ValidationErrors.
std::string add_exact(const std::string& a, const std::string& b) {
  try {
    return add_numbers(a, b);
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).find("38") != std::string::npos)
      fail(kKind, "Number overflow. Attempting to store a number with more than 38 significant digits");
    fail(kKind, "Number overflow. Attempting to store a number with magnitude larger than supported range");
  }
}

// Orders paths elementwise, list indexes numerically.
bool path_less(const ResolvedPath& a, const ResolvedPath& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](const Step& x, const Step& y) {
    if (x.is_index != y.is_index) return x.is_index < y.is_index;
    return x.is_index ? x.index < y.index : x.key < y.key;
  });
}

// Refuses two targets where one contains the other ("overlap") or where the same position is a
// map key in one and a list index in the other ("conflict").
void check_disjoint(const std::vector<ResolvedPath>& targets) {
  for (size_t i = 0; i < targets.size(); ++i) {
    for (size_t j = i + 1; j < targets.size(); ++j) {
      const ResolvedPath &a = targets[i], &b = targets[j];
      size_t n = std::min(a.size(), b.size()), k = 0;
      bool independent = false;
      for (; k < n; ++k) {
        if (a[k].is_index != b[k].is_index) break;
        if (a[k].is_index ? a[k].index != b[k].index : a[k].key != b[k].key) {
          independent = true;
          break;
        }
      }
      if (independent) continue;
      const char* relation = k < n ? "conflict" : "overlap";
      fail(kKind, std::string("Two document paths ") + relation +
                      " with each other; must remove or rewrite one of these paths; path one: " + describe_path(a) +
                      ", path two: " + describe_path(b));
    }
  }
}

// The value reached after the first `count` steps of `path`, or nullptr when a step is missing
// or does not match its container.
AttributeValue* walk(Item& item, const ResolvedPath& path, size_t count) {
  auto top = item.find(path[0].key);
  if (top == item.end()) return nullptr;
  AttributeValue* cur = &top->second;
  for (size_t i = 1; i < count; ++i) {
    const Step& s = path[i];
    if (s.is_index) {
      if (!cur->is(AttrType::L) || s.index >= cur->l().size()) return nullptr;
      cur = &cur->l()[s.index];
    } else {
      if (!cur->is(AttrType::M)) return nullptr;
      auto it = cur->m().find(s.key);
      if (it == cur->m().end()) return nullptr;
      cur = &it->second;
    }
  }
  return cur;
}

// The container that must hold the last step of a nested path; invalid_path() when it is
// missing or of the wrong kind.
AttributeValue& parent_of(Item& item, const ResolvedPath& path) {
  AttributeValue* parent = walk(item, path, path.size() - 1);
  if (!parent || !parent->is(path.back().is_index ? AttrType::L : AttrType::M)) invalid_path();
  return *parent;
}

// SET semantics: replaces or creates; an index past a list's end appends.
void put_at(Item& item, const ResolvedPath& path, AttributeValue value) {
  if (path.size() == 1) {
    item[path[0].key] = std::move(value);
    return;
  }
  AttributeValue& parent = parent_of(item, path);
  const Step& last = path.back();
  if (!last.is_index) {
    parent.m()[last.key] = std::move(value);
  } else if (last.index < parent.l().size()) {
    parent.l()[last.index] = std::move(value);
  } else {
    parent.l().push_back(std::move(value));
  }
}

// REMOVE semantics: a missing last step is a no-op, a missing parent is an invalid path.
void remove_at(Item& item, const ResolvedPath& path) {
  if (path.size() == 1) {
    item.erase(path[0].key);
    return;
  }
  AttributeValue& parent = parent_of(item, path);
  const Step& last = path.back();
  if (!last.is_index) {
    parent.m().erase(last.key);
  } else if (last.index < parent.l().size()) {
    parent.l().erase(parent.l().begin() + static_cast<std::ptrdiff_t>(last.index));
  }
}

class Applier {
 public:
  Applier(const Item& original, const Names& names, const Values& values)
      : original_(original), names_(names), values_(values) {}

  AttributeValue eval(const UpdateValue& v) const {
    switch (v.kind) {
      case UpdateValue::kValue: return lookup_value(v.value, values_, kKind);
      case UpdateValue::kPath: {
        const AttributeValue* at = find_in_item(&original_, resolve_path(v.path, names_, kKind));
        if (!at) fail(kKind, "The provided expression refers to an attribute that does not exist in the item");
        return *at;
      }
      case UpdateValue::kIfNotExists: {
        const AttributeValue* at = find_in_item(&original_, resolve_path(v.args[0].path, names_, kKind));
        AttributeValue fallback = eval(v.args[1]);  // evaluated anyway, so its placeholders are checked
        return at ? *at : fallback;
      }
      case UpdateValue::kListAppend: {
        AttributeValue a = eval(v.args[0]), b = eval(v.args[1]);
        for (auto* x : {&a, &b})
          if (!x->is(AttrType::L)) wrong_operand_type("list_append", *x);
        a.l().insert(a.l().end(), b.l().begin(), b.l().end());
        return a;
      }
    }
    return {};
  }

  AttributeValue eval(const SetAction& a) const {
    AttributeValue left = eval(a.left);
    if (!a.op) return left;
    AttributeValue right = eval(a.right);
    const std::string op(1, a.op);
    for (auto [value, syntax] : {std::pair{&left, &a.left}, std::pair{&right, &a.right}}) {
      if (value->is(AttrType::N)) continue;
      if (syntax->kind == UpdateValue::kValue) wrong_operand_type(op, *value);
      incorrect_type();
    }
    const std::string& r = right.n();
    return AttributeValue::N(add_exact(left.n(), a.op == '+' ? r : negate_number(r)));
  }

 private:
  const Item& original_;
  const Names& names_;
  const Values& values_;
};

void apply_add(Item& item, const ResolvedPath& path, const AttributeValue& value) {
  if (!value.is(AttrType::N) && !is_set(value)) wrong_operand_type("ADD", value);
  AttributeValue* existing = walk(item, path, path.size());
  if (!existing) {
    put_at(item, path, value);
    return;
  }
  if (existing->type() != value.type()) incorrect_type();
  if (value.is(AttrType::N)) {
    *existing = AttributeValue::N(add_exact(existing->n(), value.n()));
    return;
  }
  AttributeValue::Set merged;
  const auto &a = existing->set(), &b = value.set();
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(merged));
  existing->set() = std::move(merged);
}

void apply_delete(Item& item, const ResolvedPath& path, const AttributeValue& value) {
  if (!is_set(value)) wrong_operand_type("DELETE", value);
  AttributeValue* existing = walk(item, path, path.size());
  if (!existing) {
    if (path.size() > 1) parent_of(item, path);  // a missing parent is still an invalid path
    return;
  }
  if (existing->type() != value.type()) incorrect_type();
  AttributeValue::Set rest;
  const auto &a = existing->set(), &b = value.set();
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(rest));
  if (rest.empty()) {
    remove_at(item, path);  // DynamoDB has no empty sets: the attribute goes away
  } else {
    existing->set() = std::move(rest);
  }
}

void collect(const UpdateValue& v, std::set<std::string>& names, std::set<std::string>& values) {
  if (v.kind == UpdateValue::kValue) values.insert(v.value);
  if (v.kind == UpdateValue::kPath) collect_names(v.path, names);
  for (const UpdateValue& arg : v.args) collect(arg, names, values);
}

}  // namespace

std::shared_ptr<const Update> Update::parse(std::string_view text) {
  return std::shared_ptr<const Update>(new Update(std::make_shared<const UpdateAst>(parse_update(text))));
}

void Update::apply(Item& item, const Names& names, const Values& values) const {
  const UpdateAst& ast = *ast_;
  auto resolve = [&](const PathExpr& p) { return resolve_path(p, names, kKind); };

  std::vector<ResolvedPath> targets;
  for (auto& a : ast.sets) targets.push_back(resolve(a.target));
  for (auto& p : ast.removes) targets.push_back(resolve(p));
  for (auto& a : ast.adds) targets.push_back(resolve(a.target));
  for (auto& a : ast.deletes) targets.push_back(resolve(a.target));
  check_disjoint(targets);

  Applier applier(item, names, values);
  std::vector<std::pair<ResolvedPath, AttributeValue>> sets;
  for (size_t i = 0; i < ast.sets.size(); ++i) sets.emplace_back(targets[i], applier.eval(ast.sets[i]));
  size_t next = ast.sets.size();
  std::vector<ResolvedPath> removes(targets.begin() + next, targets.begin() + next + ast.removes.size());
  next += ast.removes.size();

  Item work = item;
  std::stable_sort(sets.begin(), sets.end(), [](auto& a, auto& b) { return path_less(a.first, b.first); });
  for (auto& [path, value] : sets) put_at(work, path, std::move(value));
  for (auto& a : ast.adds) apply_add(work, targets[next++], lookup_value(a.value, values, kKind));
  for (auto& a : ast.deletes) apply_delete(work, targets[next++], lookup_value(a.value, values, kKind));
  std::sort(removes.begin(), removes.end(), [](auto& a, auto& b) { return path_less(b, a); });
  for (auto& path : removes) remove_at(work, path);
  item.swap(work);
}

void Update::collect_placeholders(std::set<std::string>& names, std::set<std::string>& values) const {
  for (auto& a : ast_->sets) {
    collect_names(a.target, names);
    collect(a.left, names, values);
    if (a.op) collect(a.right, names, values);
  }
  for (auto& p : ast_->removes) collect_names(p, names);
  for (auto* list : {&ast_->adds, &ast_->deletes}) {
    for (auto& a : *list) {
      collect_names(a.target, names);
      values.insert(a.value);
    }
  }
}

std::set<std::string> Update::touched_top_level(const Names& names) const {
  std::set<std::string> out;
  auto add = [&](const PathExpr& p) { out.insert(resolve_path(p, names, kKind)[0].key); };
  for (auto& a : ast_->sets) add(a.target);
  for (auto& p : ast_->removes) add(p);
  for (auto& a : ast_->adds) add(a.target);
  for (auto& a : ast_->deletes) add(a.target);
  return out;
}

}  // namespace k9::store::expr
