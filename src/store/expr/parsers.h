// Hand-written recursive-descent parsers. Both throw ValidationError with DynamoDB's messages.
#pragma once
#include <string_view>

#include "store/expr/ast.h"

namespace k9::store::expr::detail {

// Grammar (keywords case-insensitive, function names case-sensitive):
//   condition := disjunct (OR disjunct)*
//   disjunct  := negation (AND negation)*
//   negation  := NOT negation | primary
//   primary   := '(' condition ')' | bool_function
//              | operand (comparator operand | BETWEEN operand AND operand
//                         | IN '(' operand (',' operand)* ')')
//   operand   := path | :value | size(path)
CondNode parse_condition(std::string_view text);

// Grammar (clause keywords case-insensitive, each clause at most once, any order):
//   update := clause+
//   clause := SET path '=' value [('+'|'-') value] (',' ...)* | REMOVE path (',' path)*
//           | ADD path :value (',' ...)* | DELETE path :value (',' ...)*
//   value  := path | :value | if_not_exists(path, value) | list_append(value, value)
UpdateAst parse_update(std::string_view text);

}  // namespace k9::store::expr::detail
