// DynamoDB condition and update expressions: parsing, evaluation and application to items.
//
// Contract:
//  - parse() builds an immutable tree; the result is thread-safe and may be evaluated or
//    applied any number of times with different names, values and items.
//  - Every error leaving this module is a k9::store::ValidationError whose message follows
//    DynamoDB's ("Invalid ConditionExpression: Syntax error; token: ...", "Invalid
//    UpdateExpression: The document path provided in the update expression is invalid for
//    update", ...).
//  - Semantics are DynamoDB's; where this engine had to choose, the choice is written next to
//    the code (condition.cc, update.cc).
#pragma once
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace k9::store::expr {

namespace detail {
struct CondNode;
struct UpdateAst;
}  // namespace detail

// Parsed, immutable, thread-safe; parse once and evaluate many times.
class Condition {
 public:
  // Throws ValidationError ("Invalid ConditionExpression: Syntax error; token: ...") on bad
  // syntax, unknown functions, wrong operand counts and functions used in the wrong place.
  static std::shared_ptr<const Condition> parse(std::string_view text);
  // `item` is nullptr when the item does not exist. Throws ValidationError for an undefined
  // #name or :value and for constant operands of a type DynamoDB refuses (e.g. begins_with(a, :n)
  // with a number). Comparisons between different types, or with a missing attribute, are
  // simply false (except `<>`, which is true).
  bool evaluate(const Item* item, const Names& names, const Values& values) const;
  // Placeholders this expression uses (for the unused-placeholder check).
  void collect_placeholders(std::set<std::string>& names, std::set<std::string>& values) const;

 private:
  explicit Condition(std::shared_ptr<const detail::CondNode> root) : root_(std::move(root)) {}
  std::shared_ptr<const detail::CondNode> root_;
};

class Update {
 public:
  static std::shared_ptr<const Update> parse(std::string_view text);
  // Applies SET / REMOVE / ADD / DELETE to `item` (which may start empty: an upsert). All
  // operands read the item as it was before the update. Throws ValidationError where DynamoDB
  // does; on a throw `item` is left unchanged. Key attributes are the caller's concern.
  void apply(Item& item, const Names& names, const Values& values) const;
  void collect_placeholders(std::set<std::string>& names, std::set<std::string>& values) const;
  // Top-level attribute names this update writes or removes (after resolving #names), so the
  // caller can refuse changes to key attributes. Throws ValidationError for an undefined #name.
  std::set<std::string> touched_top_level(const Names& names) const;

 private:
  explicit Update(std::shared_ptr<const detail::UpdateAst> ast) : ast_(std::move(ast)) {}
  std::shared_ptr<const detail::UpdateAst> ast_;
};

// DynamoDB refuses a request whose ExpressionAttributeNames/Values contain entries no expression
// uses ("Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"), and one
// that uses undefined ones. Null entries in `conditions` and a null `update` are skipped.
// Throws ValidationError.
void check_placeholders(const std::vector<const Condition*>& conditions, const Update* update,
                        const Names& names, const Values& values);

// Thread-safe caches of parsed expressions keyed by their text (bounded at 4096 entries each,
// cleared when full). Parse errors are thrown, never cached.
std::shared_ptr<const Condition> cached_condition(std::string_view text);
std::shared_ptr<const Update> cached_update(std::string_view text);

}  // namespace k9::store::expr
