#include "store/dynamodb/error_mapping.h"

#include "store/store.h"

namespace k9::store::dynamodb {

std::vector<std::string> cancellation_reasons(const aws::DynamoDbError& e) {
  std::vector<std::string> reasons;
  if (auto* list = e.body().if_contains("CancellationReasons"); list && list->is_array()) {
    for (auto& r : list->as_array()) {
      auto* code = r.is_object() ? r.as_object().if_contains("Code") : nullptr;
      reasons.push_back(code && code->is_string() ? std::string(code->as_string().c_str()) : "None");
    }
    return reasons;
  }
  const std::string& m = e.message();
  size_t open = m.rfind('['), close = m.rfind(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return reasons;
  std::string inner = m.substr(open + 1, close - open - 1);
  size_t i = 0;
  while (i <= inner.size()) {
    size_t comma = inner.find(',', i);
    if (comma == std::string::npos) comma = inner.size();
    std::string code = inner.substr(i, comma - i);
    code.erase(0, code.find_first_not_of(' '));
    code.erase(code.find_last_not_of(' ') + 1);
    if (!code.empty()) reasons.push_back(code);
    i = comma + 1;
  }
  return reasons;
}

void throw_store_error(const aws::DynamoDbError& e) {
  const std::string& type = e.type();
  if (e.kind() == aws::DynamoDbError::Kind::unavailable)
    throw Unavailable("DynamoDB " + e.operation() + " unavailable: " + e.message());
  if (type == "ConditionalCheckFailedException") throw ConditionFailed();
  if (type == "TransactionCanceledException") throw TransactionCanceled(cancellation_reasons(e));
  if (type == "ValidationException" || type == "ResourceNotFoundException" || type == "SerializationException" ||
      type == "ItemCollectionSizeLimitExceededException") {
    std::string sent = e.request().size() > 2000 ? e.request().substr(0, 2000) + "..." : e.request();
    throw ValidationError(type + ": " + e.message() + " (DynamoDB " + e.operation() + ", sent " + sent + ")");
  }
  throw Unavailable("DynamoDB " + e.operation() + " failed: " + type + ": " + e.message());
}

}  // namespace k9::store::dynamodb
