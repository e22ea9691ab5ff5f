// Resolving placeholders and reading document paths out of items.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "store/expr/ast.h"
#include "store/expr/errors.h"
#include "store/store.h"

namespace k9::store::expr::detail {

// A path with its #names resolved: each step is a map key or a list index.
struct Step {
  bool is_index = false;
  std::string key;
  size_t index = 0;
};
using ResolvedPath = std::vector<Step>;

// Throws ValidationError ("An expression attribute name used in the document path is not
// defined; attribute name: #n") for an undefined #name.
ResolvedPath resolve_path(const PathExpr& path, const Names& names, ExprKind kind);

// Throws ValidationError ("An expression attribute value used in expression is not defined;
// attribute value: :v") for an undefined :value.
const AttributeValue& lookup_value(const std::string& ref, const Values& values, ExprKind kind);

// The attribute at `path`, or nullptr when it (or any step before it) is missing or a step
// does not match the container type (a key into a non-map, an index into a non-list).
const AttributeValue* find_in_item(const Item* item, const ResolvedPath& path);

// DynamoDB's rendering of a path in messages: a.b[1] -> "[a, b, [1]]".
std::string describe_path(const ResolvedPath& path);

// Adds the #names `path` uses to `names`.
void collect_names(const PathExpr& path, std::set<std::string>& names);

}  // namespace k9::store::expr::detail
