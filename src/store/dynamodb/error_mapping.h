// How DynamoDB's errors become the store interface's own (store/store.h):
//   ConditionalCheckFailedException -> ConditionFailed
//   TransactionCanceledException    -> TransactionCanceled, one reason code per item
//   ValidationException, ResourceNotFoundException, SerializationException,
//   ItemCollectionSizeLimitExceededException -> ValidationError with DynamoDB's message,
//                                      the operation and (the start of) the request sent
//   retries spent (throttling, 5xx, network, CRC), missing credentials, and anything else
//   (access denied, unknown) -> Unavailable
#pragma once
#include <string>
#include <vector>

#include "aws/dynamodb_client.h"

namespace k9::store::dynamodb {

[[noreturn]] void throw_store_error(const aws::DynamoDbError& e);

// The reason codes of a TransactionCanceledException: from CancellationReasons when the
// body has them, else from the message's "[None, ConditionalCheckFailed]" list.
std::vector<std::string> cancellation_reasons(const aws::DynamoDbError& e);

}  // namespace k9::store::dynamodb
