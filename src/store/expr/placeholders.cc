// check_placeholders(): DynamoDB's refusal of undefined and of unused #names and :values.
#include "store/expr/errors.h"
#include "store/expr/expression.h"

namespace k9::store::expr {

using namespace detail;

namespace {

// Undefined placeholders are reported with the prefix of the expression that uses them.
void check_defined(ExprKind kind, const std::set<std::string>& used_names, const std::set<std::string>& used_values,
                   const Names& names, const Values& values) {
  for (auto& n : used_names)
    if (!names.count(n))
      fail(kind, "An expression attribute name used in the document path is not defined; attribute name: " + n);
  for (auto& v : used_values)
    if (!values.count(v))
      fail(kind, "An expression attribute value used in expression is not defined; attribute value: " + v);
}

template <class Map>
void check_used(const char* parameter, const Map& provided, const std::set<std::string>& used) {
  std::string unused;
  for (auto& [key, _] : provided)
    if (!used.count(key)) unused += (unused.empty() ? "" : ", ") + key;
  if (!unused.empty())
    throw ValidationError(std::string("Value provided in ") + parameter + " unused in expressions: keys: {" + unused + "}");
}

}  // namespace

void check_placeholders(const std::vector<const Condition*>& conditions, const Update* update, const Names& names,
                        const Values& values) {
  std::set<std::string> all_names, all_values;
  auto check = [&](ExprKind kind, auto* expression) {
    std::set<std::string> n, v;
    expression->collect_placeholders(n, v);
    check_defined(kind, n, v, names, values);
    all_names.insert(n.begin(), n.end());
    all_values.insert(v.begin(), v.end());
  };
  for (const Condition* c : conditions)
    if (c) check(ExprKind::kCondition, c);
  if (update) check(ExprKind::kUpdate, update);
  check_used("ExpressionAttributeNames", names, all_names);
  check_used("ExpressionAttributeValues", values, all_values);
}

}  // namespace k9::store::expr
