// The custom runtime's loop: next invocation -> LambdaFunction -> response or invocation
// error, until the Runtime API goes away (then Lambda replaces the sandbox).
#pragma once
#include "lambda/lambda_function.h"
#include "lambda/runtime_client.h"

namespace k9::lambda {

// Returns 1 when the Runtime API cannot be reached any more; never throws.
int run_loop(RuntimeClient& client, LambdaFunction& function) noexcept;

// One CloudWatch Embedded Metric Format line (namespace K9, dimension Route): latency in
// milliseconds and a count of the status class, for one proxy invocation.
std::string emf_line(std::string_view route, int status, std::chrono::microseconds duration, int64_t unix_ms);

}  // namespace k9::lambda
