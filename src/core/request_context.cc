#include "core/request_context.h"

namespace k9 {

namespace {
thread_local std::string current_id;
}

RequestScope::RequestScope(std::string_view request_id) : previous_(std::move(current_id)) {
  current_id.assign(request_id);
}

RequestScope::~RequestScope() { current_id = std::move(previous_); }

std::string_view RequestScope::current() { return current_id; }

}  // namespace k9
