// A QueryRequest's key condition as a DynamoDB KeyConditionExpression. Key attribute names
// always go through placeholders (#pk, #sk), so reserved words like "date" or "count" work.
// No I/O here.
#pragma once
#include <string>

#include "store/store.h"

namespace k9::store::dynamodb {

struct KeyConditionExpression {
  std::string expression;  // "#pk = :pk AND #sk BETWEEN :sk AND :sk2"
  Names names;
  Values values;
};

// `key` is the key schema of the table or index queried. Throws ValidationError when a sort
// condition is given for a key without sort key.
KeyConditionExpression key_condition(const KeySchema& key, const QueryRequest& q);

}  // namespace k9::store::dynamodb
