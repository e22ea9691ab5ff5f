// Error helpers: every failure of this module is a ValidationError prefixed the way DynamoDB
// prefixes it for the expression being processed.
#pragma once
#include <string>

#include "store/store.h"

namespace k9::store::expr::detail {

enum class ExprKind { kCondition, kUpdate };

inline std::string expr_prefix(ExprKind kind) {
  return kind == ExprKind::kCondition ? "Invalid ConditionExpression: " : "Invalid UpdateExpression: ";
}

[[noreturn]] inline void fail(ExprKind kind, const std::string& message) {
  throw ValidationError(expr_prefix(kind) + message);
}

}  // namespace k9::store::expr::detail
