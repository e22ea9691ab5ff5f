#include "core/request_context.h"

#include <gtest/gtest.h>

#include <thread>

namespace k9 {
namespace {

TEST(RequestScope, NestsAndIsPerThread) {
  EXPECT_EQ(RequestScope::current(), "");
  {
    RequestScope outer("r-1");
    EXPECT_EQ(RequestScope::current(), "r-1");
    {
      RequestScope inner("r-2");
      EXPECT_EQ(RequestScope::current(), "r-2");
      std::string seen = "unset";
      std::thread([&] { seen = std::string(RequestScope::current()); }).join();
      EXPECT_EQ(seen, "");  // another thread is in no request
    }
    EXPECT_EQ(RequestScope::current(), "r-1");
  }
  EXPECT_EQ(RequestScope::current(), "");
}

}  // namespace
}  // namespace k9
