#include "store/dynamodb/key_condition.h"

namespace k9::store::dynamodb {

KeyConditionExpression key_condition(const KeySchema& key, const QueryRequest& q) {
  KeyConditionExpression k;
  k.expression = "#pk = :pk";
  k.names["#pk"] = key.partition_key;
  k.values[":pk"] = q.partition;
  if (!q.sort) return k;
  if (!key.has_sort_key()) throw ValidationError("Query key condition not supported: the key has no sort key");
  k.names["#sk"] = key.sort_key;
  k.values[":sk"] = q.sort->value;
  switch (q.sort->op) {
    case SortOp::EQ: k.expression += " AND #sk = :sk"; break;
    case SortOp::LT: k.expression += " AND #sk < :sk"; break;
    case SortOp::LE: k.expression += " AND #sk <= :sk"; break;
    case SortOp::GT: k.expression += " AND #sk > :sk"; break;
    case SortOp::GE: k.expression += " AND #sk >= :sk"; break;
    case SortOp::BEGINS_WITH: k.expression += " AND begins_with(#sk, :sk)"; break;
    case SortOp::BETWEEN:
      k.expression += " AND #sk BETWEEN :sk AND :sk2";
      k.values[":sk2"] = q.sort->value2;
      break;
  }
  return k;
}

}  // namespace k9::store::dynamodb
