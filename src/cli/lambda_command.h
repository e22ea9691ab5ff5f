// `k9 lambda`: the same binary as an AWS Lambda custom runtime (AWS_LAMBDA_RUNTIME_API set by
// Lambda). Init once per sandbox: configuration, store, keys, route table; then the Runtime
// API loop (lambda/lambda_loop.h). A report's analysis starts as an asynchronous invocation of
// this function (AWS_LAMBDA_FUNCTION_NAME) with K9's own event {"k9":{"task":"analysis"}},
// which runs the due analyses of the durable queue; a scheduled invocation with the same
// event picks up any whose worker died.
#pragma once
#include "cli/runtime.h"

namespace k9::cli {

int lambda_command(Config config);

}  // namespace k9::cli
